// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title WideAnswer (test double)
/// @notice A contract whose `splitter()` answers with a whole word chosen at deployment: above 2^160 - 1 it is no
///         address, so the contract is not an emission recipient and a splitter must accept it as a plain contract;
///         2^160 - 1 itself is an address (not this splitter's), so a splitter must refuse it as a mismatch.
contract WideAnswer {
    uint256 private immutable _answer;

    constructor(uint256 answer) {
        _answer = answer;
    }

    /// @notice Answers with the word given at deployment.
    function splitter() external view returns (uint256) {
        return _answer;
    }
}
