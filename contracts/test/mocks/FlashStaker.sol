// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

interface IStakingPool {
    function stake(uint256 amount) external;
    function withdraw(uint256 amount) external;
    function claimReward() external returns (uint256);
    function weightOf(address account) external view returns (uint256);
}

interface IRecipientExecutor {
    function executeRecipient(uint8 bucket) external;
}

/// @title FlashStaker (test double)
/// @notice Stakes, claims and withdraws in one transaction: the attacker of a pool's zero-weight backlog.
contract FlashStaker {
    /// @notice Emitted with what the flash round trip earned.
    event Flashed(uint256 reward);

    /// @notice Stakes `amount` of `deposit` (held by this contract) in `pool`, claims, withdraws; returns the reward.
    function flash(IStakingPool pool, IERC20 deposit, uint256 amount) external returns (uint256 reward) {
        deposit.approve(address(pool), amount);
        pool.stake(amount);
        reward = pool.claimReward();
        pool.withdraw(pool.weightOf(address(this))); // what arrived (a rebasing token may round a wei off)
        emit Flashed(reward);
    }

    /// @notice Stakes `amount` of `deposit` in `pool`, executes `splitter`'s ripe recipient change of `bucket` (which
    ///         may make `pool` the bucket's recipient), claims and withdraws, all in one transaction; returns the
    ///         reward: the attacker of an accrual jump at a handover.
    function flashExecute(IStakingPool pool, IERC20 deposit, uint256 amount, IRecipientExecutor splitter, uint8 bucket)
        external
        returns (uint256 reward)
    {
        deposit.approve(address(pool), amount);
        pool.stake(amount);
        splitter.executeRecipient(bucket);
        reward = pool.claimReward();
        pool.withdraw(pool.weightOf(address(this)));
        emit Flashed(reward);
    }
}
