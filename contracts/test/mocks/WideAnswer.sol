// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title WideAnswer (test double)
/// @notice A contract whose `splitter()` answers with a whole word that is no address (bits above the 160th set): it
///         is not an emission recipient, and a splitter must accept it as a plain contract rather than revert.
contract WideAnswer {
    /// @notice Answers with 2^256 - 1.
    function splitter() external pure returns (uint256) {
        return type(uint256).max;
    }
}
