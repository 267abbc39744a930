// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title TwoAddressToken
/// @notice TUSD-style token reachable at two addresses that share one ledger: this contract and `secondary`, a
///         forwarder whose `balanceOf` and `transfer` read and move the same balances.
/// @dev A contract that accounts per token address sees two tokens where there is one.
contract TwoAddressToken is ERC20 {
    /// @notice The second address of this token.
    SecondaryEntry public immutable secondary;

    /// @notice Only the secondary entry may move balances on behalf of its callers.
    error NotSecondary(address caller);

    constructor() ERC20("Two Address USD", "TUSD") {
        secondary = new SecondaryEntry(this);
    }

    /// @notice Mints `amount` to `to`; anyone may call (test token).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Moves `amount` from `from` to `to` for the secondary entry.
    function forwardTransfer(address from, address to, uint256 amount) external {
        if (msg.sender != address(secondary)) revert NotSecondary(msg.sender);
        _transfer(from, to, amount);
    }

    /// @notice Moves `amount` from `from` to `to` for the secondary entry, spending the allowance `from` gave
    ///         `spender` (one allowance for both addresses, like one ledger).
    function forwardTransferFrom(address spender, address from, address to, uint256 amount) external {
        if (msg.sender != address(secondary)) revert NotSecondary(msg.sender);
        _spendAllowance(from, spender, amount);
        _transfer(from, to, amount);
    }
}

/// @title SecondaryEntry
/// @notice The second address of a `TwoAddressToken`: the same balances, moved through the primary.
contract SecondaryEntry {
    /// @notice The primary token.
    TwoAddressToken public immutable primary;

    constructor(TwoAddressToken primary_) {
        primary = primary_;
    }

    /// @notice The shared balance of `account`.
    function balanceOf(address account) external view returns (uint256) {
        return primary.balanceOf(account);
    }

    /// @notice Moves the caller's shared balance.
    function transfer(address to, uint256 amount) external returns (bool) {
        primary.forwardTransfer(msg.sender, to, amount);
        return true;
    }

    /// @notice Moves `from`'s shared balance with the allowance it gave the caller at the primary.
    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        primary.forwardTransferFrom(msg.sender, from, to, amount);
        return true;
    }
}
