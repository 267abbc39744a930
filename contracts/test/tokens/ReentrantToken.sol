// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title ReentrantToken
/// @notice ERC-20 that, when armed, calls back into a chosen contract in the middle of every transfer
///         (like an ERC-777 hook), to prove the code under test gains nothing from reentrancy.
/// @dev The callback result is recorded instead of bubbled, so a test can check that the inner call
///      was attempted and was refused (e.g. by a reentrancy guard) while the outer transfer completes.
contract ReentrantToken is ERC20 {
    address public target;
    bytes public callData;
    bool public armed;
    /// @notice Outcome of the last callback: attempted, succeeded, and the revert data or return data.
    bool public lastCallAttempted;
    bool public lastCallSucceeded;
    bytes public lastCallResult;

    constructor() ERC20("Reentrant", "REE") {}

    /// @notice Mints `amount` to `to`; anyone may call (test token).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arms the hook: the next transfer calls `target_` with `callData_` once.
    function arm(address target_, bytes calldata callData_) external {
        target = target_;
        callData = callData_;
        armed = true;
        lastCallAttempted = false;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (armed && from != address(0) && to != address(0)) {
            armed = false; // one shot, so the hook itself cannot loop
            lastCallAttempted = true;
            (lastCallSucceeded, lastCallResult) = target.call(callData);
        }
    }
}
