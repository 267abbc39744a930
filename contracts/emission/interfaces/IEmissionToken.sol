// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IEmissionToken
/// @notice A capped ERC-20 (with EIP-2612 permit) whose only minter is fixed once during deployment.
interface IEmissionToken is IERC20 {
    /// @notice The minter was fixed to `minter`.
    event MinterSet(address indexed minter);

    /// @notice Only the minter may mint.
    error NotMinter(address caller);
    /// @notice The minter can be set once, by the deployer, to a non-zero address.
    error MinterAlreadySet(address minter);
    /// @notice Only the deployer may set the minter.
    error NotDeployer(address caller);
    /// @notice The minter cannot be the zero address.
    error ZeroMinter();

    /// @notice Fixes the minter; callable once, by the deployer.
    function setMinter(address minter_) external;

    /// @notice Mints `amount` to `to`; only the minter; never beyond `cap()`.
    function mint(address to, uint256 amount) external;

    /// @notice The only account that can mint (zero until set).
    function minter() external view returns (address);

    /// @notice The maximum total supply.
    function cap() external view returns (uint256);
}
