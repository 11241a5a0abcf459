"""The Whoosh index: schema, storage and manifest, signing, locking, writing, checking."""
