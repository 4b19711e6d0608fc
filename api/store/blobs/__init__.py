"""Blob storage: the encrypted bytes of uploads and messages, and their table.

``backend`` is the S3-shaped interface (object keys, byte ranges), ``filesystem`` the
one-machine implementation under data_dir/blobs/; ``repository`` holds the rows.
"""
