// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title ShortAnswer (test double)
/// @notice A contract whose `splitter()` answers with one byte, less than an ABI word: it is not an emission
///         recipient, and a splitter must accept it as a plain contract rather than revert while decoding.
contract ShortAnswer {
    /// @notice Answers with the single byte 0x01.
    function splitter() external pure {
        assembly {
            mstore(0, 1)
            return(31, 1)
        }
    }
}
