// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title RevertingBalance
/// @notice Test double: a token whose `balanceOf` always reverts with a reason string (a paused or broken token), so
///         a test can check that a caller bubbles the token's own revert data.
contract RevertingBalance {
    /// @notice Reverts with "balance unavailable".
    function balanceOf(address) external pure returns (uint256) {
        revert("balance unavailable");
    }
}
