// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title BlocklistToken
/// @notice USDC-style token whose admin can block accounts: a blocked account can neither send nor receive.
/// @dev A contract that pushes payments to several parties in one call can be frozen by one blocked party.
contract BlocklistToken is ERC20 {
    /// @notice The account is blocked by the token's admin.
    error Blocked(address account);

    mapping(address account => bool) public blocked;

    constructor() ERC20("Blocklist USD", "BUSD") {}

    /// @notice Mints `amount` to `to`; anyone may call (test token).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Blocks or unblocks `account`; anyone may call (test token).
    function setBlocked(address account, bool isBlocked) external {
        blocked[account] = isBlocked;
    }

    /// @inheritdoc ERC20
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (blocked[from]) revert Blocked(from);
        if (blocked[to]) revert Blocked(to);
        super._update(from, to, value);
    }
}
