"""Sealbox's pure cryptography: the keys, formats and checks behind mail encrypted at rest.

Everything here is a pure function or a small immutable value type; the package imports
only the standard library, ``cryptography``, ``argon2`` and ``pyotp``, and nothing from
``api`` or ``compat``. Callers import from the submodules:

- ``errors``: ``CryptoError`` and its subclasses ``DecryptionError`` and ``FormatError``.
- ``secret_value``: ``SecretBytes`` / ``SecretStr``, wrappers that keep secrets out of
  reprs, logs and pickles.
- ``labels``: the domain-separation strings that bind every ciphertext to its context.
- ``aead``: AES-256-GCM blobs (version || nonce || ciphertext+tag).
- ``kdf``: Argon2id + HKDF password keys (``auth`` for the verifier, ``kek`` for MK).
- ``verifier``: the server-side login verifier derived from the ``auth`` key.
- ``master_key``: the account master key MK and its HKDF subkeys.
- ``slots``: MK wrapped under one unlocking secret (password, app password, ...).
- ``codes``: typed high-entropy codes (app passwords, recovery codes) and their keys.
- ``keypair``: the account's X25519 key pair, private half wrapped under an MK subkey.
- ``sealing``: HPKE (RFC 9180) sealing of per-message data keys to the public key.
- ``stream``: chunked STREAM AEAD for large messages with random-access decryption;
  ``stream_format`` holds its byte layout (header, nonces, chunk arithmetic);
  ``stream_sealer`` encrypts the same format block by block for async producers.
- ``tokens``: session and login-challenge bearer tokens.
- ``totp``: RFC 6238 one-time codes with replay refusal.

CPU-heavy calls (Argon2, sealing large messages) are synchronous; async callers run them
off the event loop.
"""
