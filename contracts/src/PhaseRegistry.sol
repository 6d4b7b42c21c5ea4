// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title The rollout phase, the highest action tier each phase allows, and actions approved one by one.
/// @notice Tiers: 0 answer and observe, 1 tune routing, 2 act on peers and limits, 3 change governance itself.
/// Everything here changes only through the timelock, that is through an executed proposal.
contract PhaseRegistry {
    uint8 public constant MAX_TIER = 3;

    address public immutable timelock;
    uint256 public phase;
    mapping(uint256 phase => uint8 tier) public maxTierOf;
    mapping(bytes32 actionHash => bool) public approved;

    event PhaseChanged(uint256 indexed previous, uint256 indexed next, uint8 maxTier);
    event PhaseTierSet(uint256 indexed phase, uint8 maxTier);
    event ActionApproved(bytes32 indexed actionHash);
    event ActionRevoked(bytes32 indexed actionHash);

    error NotTimelock(address caller);
    error TierOutOfRange(uint8 tier);

    modifier onlyTimelock() {
        if (msg.sender != timelock) revert NotTimelock(msg.sender);
        _;
    }

    /// @param initialTiers maxTierOf[i] = initialTiers[i]; the registry starts at phase 0.
    constructor(address timelock_, uint8[] memory initialTiers) {
        timelock = timelock_;
        for (uint256 i = 0; i < initialTiers.length; i++) {
            _setPhaseMaxTier(i, initialTiers[i]);
        }
    }

    /// @notice The highest tier the current phase allows.
    function maxTier() public view returns (uint8) {
        return maxTierOf[phase];
    }

    /// @notice Phase and its highest tier in one call.
    function status() external view returns (uint256 currentPhase, uint8 currentMaxTier) {
        return (phase, maxTierOf[phase]);
    }

    function setPhase(uint256 next) external onlyTimelock {
        uint256 previous = phase;
        phase = next;
        emit PhaseChanged(previous, next, maxTierOf[next]);
    }

    function setPhaseMaxTier(uint256 phase_, uint8 tier) external onlyTimelock {
        _setPhaseMaxTier(phase_, tier);
    }

    /// @notice Approves one exact action (keccak256 of its canonical encoding), whatever its tier.
    function approveAction(bytes32 actionHash) external onlyTimelock {
        approved[actionHash] = true;
        emit ActionApproved(actionHash);
    }

    function revokeAction(bytes32 actionHash) external onlyTimelock {
        approved[actionHash] = false;
        emit ActionRevoked(actionHash);
    }

    function _setPhaseMaxTier(uint256 phase_, uint8 tier) private {
        if (tier > MAX_TIER) revert TierOutOfRange(tier);
        maxTierOf[phase_] = tier;
        emit PhaseTierSet(phase_, tier);
    }
}
