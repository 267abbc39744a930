// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Test double: a rewards contract that names the registry as its reporter and then misbehaves on every
///         report (mode 0 reverts, 1 burns all its gas, 2 returns a megabyte of revert data, 3 accepts).
contract HostileRewards {
    address public immutable reporter;
    uint8 public mode;
    uint256 public reports;

    constructor(address reporter_) {
        reporter = reporter_;
    }

    function setMode(uint8 mode_) external {
        mode = mode_;
    }

    function reportWork(address, uint256, uint256) external {
        uint8 m = mode;
        if (m == 0) revert("refused");
        if (m == 1) {
            while (true) {
                reports += 1;
            }
        }
        if (m == 2) {
            assembly {
                revert(0, 1000000)
            }
        }
        reports += 1;
    }
}
