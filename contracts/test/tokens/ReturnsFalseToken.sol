// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title ReturnsFalseToken
/// @notice Token that returns `false` instead of reverting when a transfer cannot be made (ZRX/BAT-style).
/// @dev A caller that ignores the return value believes a failed transfer succeeded; SafeERC20 reverts.
contract ReturnsFalseToken {
    string public constant name = "Returns False";
    string public constant symbol = "RFT";
    uint8 public constant decimals = 18;
    uint256 public totalSupply;
    mapping(address account => uint256) public balanceOf;
    mapping(address owner => mapping(address spender => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    /// @notice Mints `amount` to `to`; anyone may call (test token).
    function mint(address to, uint256 amount) external {
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    /// @notice Transfers, or returns false when the balance is short.
    function transfer(address to, uint256 amount) external returns (bool) {
        return _move(msg.sender, to, amount);
    }

    /// @notice Transfers on behalf of `from`, or returns false when balance or allowance is short.
    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed < amount) return false;
        if (!_move(from, to, amount)) return false;
        if (allowed != type(uint256).max) allowance[from][msg.sender] = allowed - amount;
        return true;
    }

    /// @notice Sets an allowance.
    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function _move(address from, address to, uint256 amount) private returns (bool) {
        if (balanceOf[from] < amount) return false;
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
        return true;
    }
}
