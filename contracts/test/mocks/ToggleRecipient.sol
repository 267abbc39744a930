// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice A recipient whose code answers change after it is set (a Safe fallback handler, an upgradeable wallet, an
///         EIP-7702 account): plain until its controller makes `splitter()` answer.
contract ToggleRecipient {
    address public controller;
    address public answer;

    constructor() {
        controller = msg.sender;
    }

    function setAnswer(address answer_) external {
        require(msg.sender == controller, "controller");
        answer = answer_;
    }

    function splitter() external view returns (address) {
        require(answer != address(0), "plain");
        return answer;
    }
}
