// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MockERC20} from "../tokens/MockERC20.sol";

/// @title LoudFallbackToken
/// @notice Test double: a plain ERC-20 that answers any function it lacks with a revert carrying a reason string
///         (as some proxies do: "function does not exist"), so a failed probe returns more than 32 bytes of data.
/// @dev A probe must tell a revert from an answer by the call's success, not by the length of what came back.
contract LoudFallbackToken is MockERC20 {
    constructor() MockERC20("Loud Fallback", "LOUD", 18) {}

    /// @notice Reverts with `Error("LoudFallbackToken: no such function")` for every unknown selector.
    fallback() external {
        revert("LoudFallbackToken: no such function");
    }
}
