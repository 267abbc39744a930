// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MockERC20} from "./MockERC20.sol";

/// @title ScaledBalanceToken (test double)
/// @notice Aave aToken- and Ampleforth-style: answers `scaledBalanceOf(address)` (here equal to the balance) and
///         not `getTotalShares()`, so only the reward pools' second rebasing probe can recognise it.
contract ScaledBalanceToken is MockERC20 {
    constructor() MockERC20("Scaled", "aSCL", 18) {}

    /// @notice The balance before the index is applied (an aToken's `scaledBalanceOf`).
    /// @param account The holder.
    /// @return The scaled balance.
    function scaledBalanceOf(address account) external view returns (uint256) {
        return balanceOf(account);
    }
}
