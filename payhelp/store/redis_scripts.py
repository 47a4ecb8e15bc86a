"""Redis scripts for locks held by a token (the desks' and the Rasa servers' locks).

KEYS[1] is the lock, ARGV[1] the holder's token: each acts only if the caller still
holds the lock, so a holder that outlived its expiry never frees someone else's.
"""

# Free the lock.
RELEASE = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"  # noqa: E501
)
# Extend the lock to ARGV[2] milliseconds from now.
EXTEND = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"  # noqa: E501
