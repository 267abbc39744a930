// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IEmissionToken
/// @notice A capped ERC-20 (with EIP-2612 permit) whose only minter is fixed at deployment and can never change.
interface IEmissionToken is IERC20 {
    /// @notice Emitted once, at deployment: `minter` is the only account that can ever mint.
    event MinterSet(address indexed minter);

    /// @notice Only the minter may mint.
    error NotMinter(address caller);
    /// @notice The minter cannot be the zero address.
    error ZeroMinter();

    /// @notice Mints `amount` to `to`; only the minter; never beyond `cap()`.
    function mint(address to, uint256 amount) external;

    /// @notice The only account that can mint (the emission splitter), fixed at deployment.
    function minter() external view returns (address);

    /// @notice The maximum total supply.
    function cap() external view returns (uint256);
}
