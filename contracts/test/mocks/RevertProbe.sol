// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title RevertProbe
/// @notice Reverts in every way a contract can, so the test harness can prove its revert assertions
///         tell them apart (custom errors with arguments, panics, reason strings, success).
contract RevertProbe {
    /// @notice A custom error with arguments.
    error Denied(uint256 code, address who);
    /// @notice A second custom error with the same argument types.
    error Refused(uint256 code, address who);

    uint256 public counter;

    /// @notice Reverts with `Denied(code, who)` after a state change (so it is sent as a transaction).
    function deny(uint256 code, address who) external {
        counter += 1;
        revert Denied(code, who);
    }

    /// @notice Reverts with `Denied(code, who)` from a view (so it is run as an eth_call).
    function denyView(uint256 code, address who) external view {
        if (counter == 0) revert Denied(code, who);
    }

    /// @notice Reverts with `Refused(code, who)`.
    function refuse(uint256 code, address who) external {
        counter += 1;
        revert Refused(code, who);
    }

    /// @notice Reverts with an arithmetic underflow panic (0x11) when `x > counter`.
    function underflow(uint256 x) external {
        counter -= x;
    }

    /// @notice Reverts with a reason string.
    function reason() external {
        counter += 1;
        revert("plain reason");
    }

    /// @notice Succeeds and changes state.
    function bump() external {
        counter += 1;
    }
}
