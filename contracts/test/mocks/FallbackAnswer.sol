// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title FallbackAnswer
/// @notice Test double: answers calls successfully with `length` bytes, so a probe that reads a word (the reward
///         pools' rebasing probes, `getTotalShares()` and `scaledBalanceOf(address)`) sees an answer shorter than,
///         exactly or longer than one word: every call, or only calls to `selector` (the others get no bytes).
contract FallbackAnswer {
    uint256 private immutable _length;
    bytes4 private immutable _selector;

    /// @param length How many bytes the answer has.
    /// @param selector The one function answered with `length` bytes (zero: every call).
    constructor(uint256 length, bytes4 selector) {
        _length = length;
        _selector = selector;
    }

    /// @notice Answers with `length` bytes (memory from offset 0), or with none if another function was named.
    fallback() external {
        uint256 length = _selector == bytes4(0) || msg.sig == _selector ? _length : 0;
        assembly ("memory-safe") {
            return(0, length)
        }
    }
}
