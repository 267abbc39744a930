// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title RebasingToken (test double)
/// @notice stETH-style: balances are shares times a pooled total that `rebase` moves up or down, so a holder's
///         balance changes without any transfer, and a transfer of `amount` moves floor(amount * shares / pooled)
///         shares (the receiver may get a wei less). With `revealShares` false it hides `getTotalShares()` (an
///         undetectable rebasing token); with true it answers like stETH (the pools refuse it).
contract RebasingToken {
    string public constant name = "Rebasing";
    string public constant symbol = "REB";
    uint8 public constant decimals = 18;
    bool public immutable revealShares;

    uint256 private _totalShares;
    uint256 private _pooled;
    mapping(address account => uint256) private _shares;
    mapping(address owner => mapping(address spender => uint256)) public allowance;

    /// @notice ERC-20 transfer.
    event Transfer(address indexed from, address indexed to, uint256 value);
    /// @notice ERC-20 approval.
    event Approval(address indexed owner, address indexed spender, uint256 value);

    /// @notice Not a share-revealing token.
    error SharesHidden();

    constructor(bool revealShares_) {
        revealShares = revealShares_;
    }

    /// @notice stETH's share total (reverts unless `revealShares`).
    function getTotalShares() external view returns (uint256) {
        if (!revealShares) revert SharesHidden();
        return _totalShares;
    }

    /// @notice Total supply: the pooled amount.
    function totalSupply() external view returns (uint256) {
        return _pooled;
    }

    /// @notice Balance: shares times pooled over total shares, floored.
    function balanceOf(address account) public view returns (uint256) {
        return _totalShares == 0 ? 0 : _shares[account] * _pooled / _totalShares;
    }

    /// @notice Mints `amount` to `to` at the current rate (anyone: test token).
    /// @notice Test helper: the most a transfer's recipient (or a balance delta) can fall short of the amount sent.
    ///         Shares are floor(amount * shares / pooled) and balances floor(shares * pooled / shares), so a
    ///         recipient gets at least amount - ceil(pooled / totalShares), and each floored balance read costs one
    ///         more wei.
    function maxTransferShortfall() external view returns (uint256) {
        return _totalShares == 0 ? 1 : (_pooled + _totalShares - 1) / _totalShares + 1;
    }

    function mint(address to, uint256 amount) external {
        uint256 shares = _totalShares == 0 ? amount : amount * _totalShares / _pooled;
        _totalShares += shares;
        _shares[to] += shares;
        _pooled += amount;
        emit Transfer(address(0), to, amount);
    }

    /// @notice Moves every balance by `bps` basis points (signed; -10,000 < bps).
    function rebase(int256 bps) external {
        _pooled = uint256(int256(_pooled) + int256(_pooled) * bps / 10_000);
    }

    /// @notice ERC-20 approve.
    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    /// @notice ERC-20 transfer.
    function transfer(address to, uint256 amount) external returns (bool) {
        _move(msg.sender, to, amount);
        return true;
    }

    /// @notice ERC-20 transferFrom.
    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        allowance[from][msg.sender] -= amount;
        _move(from, to, amount);
        return true;
    }

    function _move(address from, address to, uint256 amount) private {
        uint256 shares = amount * _totalShares / _pooled;
        _shares[from] -= shares;
        _shares[to] += shares;
        emit Transfer(from, to, amount);
    }
}
