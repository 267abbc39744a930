// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MockERC1271Wallet} from "./MockERC1271Wallet.sol";

/// @title BatchingWallet
/// @notice Test double: a contract account (ERC-1271: valid signatures are its owner's) whose owner sends several
///         calls in one transaction, so they share one block time on any test chain (e.g. a provider that accepts a
///         lease and commits or registers its result in the same second, as two transactions of one block can).
contract BatchingWallet is MockERC1271Wallet {
    /// @notice Only the owner may make the wallet call out.
    error NotOwner(address caller);

    constructor(address owner_) MockERC1271Wallet(owner_) {}

    /// @notice Calls `targets[i]` with `calls[i]` in order; reverts with the first failing call's revert data.
    function run(address[] calldata targets, bytes[] calldata calls) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        for (uint256 i = 0; i < targets.length; ++i) {
            (bool ok, bytes memory data) = targets[i].call(calls[i]);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(data, 32), mload(data))
                }
            }
        }
    }
}
