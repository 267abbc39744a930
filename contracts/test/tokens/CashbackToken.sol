// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice The open mint of the token that `CashbackToken` pays its cashback in (MockERC20's).
interface IMintable {
    function mint(address to, uint256 amount) external;
}

/// @title CashbackToken
/// @notice ERC-20 whose every transfer pays its sender a cashback of `cashbackBps` of the amount, minted in
///         another token (loyalty- or airdrop-style): sending this token raises the sender's balance of that one.
/// @dev Shows a contract that a transfer out can raise another token's balance, never lower it.
contract CashbackToken is ERC20 {
    IMintable public immutable cashbackToken;
    uint256 public immutable cashbackBps;

    constructor(IMintable cashbackToken_, uint256 cashbackBps_) ERC20("Cashback", "CASH") {
        cashbackToken = cashbackToken_;
        cashbackBps = cashbackBps_;
    }

    /// @notice Mints `amount` to `to`; anyone may call (test token).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        uint256 cashback = (value * cashbackBps) / 10_000;
        if (from != address(0) && to != address(0) && cashback != 0) cashbackToken.mint(from, cashback);
    }
}
