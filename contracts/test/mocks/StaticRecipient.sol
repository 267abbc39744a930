// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice An emission recipient contract that names a fixed splitter, bucket and token (and does nothing else).
contract StaticRecipient {
    address public splitter;
    uint8 public bucket;
    address public rewardToken;

    constructor(address splitter_, uint8 bucket_, address rewardToken_) {
        splitter = splitter_;
        bucket = bucket_;
        rewardToken = rewardToken_;
    }
}
