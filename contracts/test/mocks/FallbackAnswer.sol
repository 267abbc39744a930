// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title FallbackAnswer
/// @notice Test double: answers every call successfully with `length` bytes, so a probe that reads a word
///         (the reward pools' rebasing probes, `getTotalShares()` and `scaledBalanceOf(address)`) sees an answer
///         shorter than, exactly or longer than one word.
contract FallbackAnswer {
    uint256 private immutable _length;

    /// @param length How many bytes every call returns.
    constructor(uint256 length) {
        _length = length;
    }

    /// @notice Answers any call with `length` bytes (memory from offset 0).
    fallback() external {
        uint256 length = _length;
        assembly ("memory-safe") {
            return(0, length)
        }
    }
}
