// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title WideAnswer (test double)
/// @notice A contract whose `splitter()` answers with a word chosen at deployment, alone or followed by a second word
///         (an answer longer than one ABI word). Above 2^160 - 1 the word is no address, so the contract is not an
///         emission recipient and a splitter must accept it as a plain contract; 2^160 - 1 is an address (not this
///         splitter's), so a splitter must refuse it as a mismatch; a longer answer is read by its first word.
contract WideAnswer {
    uint256 private immutable _answer;
    bool private immutable _twoWords;

    constructor(uint256 answer, bool twoWords) {
        _answer = answer;
        _twoWords = twoWords;
    }

    /// @notice Answers with the word given at deployment (and a zero word after it when deployed with `twoWords`).
    function splitter() external view returns (uint256) {
        uint256 answer = _answer;
        if (_twoWords) {
            assembly {
                mstore(0, answer)
                mstore(32, 0)
                return(0, 64)
            }
        }
        return answer;
    }
}
