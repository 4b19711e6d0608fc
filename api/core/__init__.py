"""The domain shared by every protocol: accounts, keys, credentials, and later mail."""
