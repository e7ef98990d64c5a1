//! An in-process token store for unit tests only. It is compiled only under `cfg(test)`,
//! so it can never be selected from the command line.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{Loaded, StoreError, StoreKind, TokenStore};
use crate::oauth::tokens::{CacheKey, TokenSet};

/// Token sets in a map.
#[derive(Debug, Default)]
pub(crate) struct MemoryStore {
    map: Mutex<HashMap<CacheKey, TokenSet>>,
    records: Mutex<HashMap<CacheKey, Vec<u8>>>,
}

impl TokenStore for MemoryStore {
    fn load_entry(&self, key: &CacheKey) -> Result<Loaded, StoreError> {
        let map = self
            .map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(Loaded::found(map.get(key).cloned()))
    }

    fn save(&self, key: &CacheKey, tokens: &TokenSet) -> Result<(), StoreError> {
        let mut map = self
            .map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.insert(key.clone(), tokens.clone());
        Ok(())
    }

    fn delete(&self, key: &CacheKey) -> Result<(), StoreError> {
        let mut map = self
            .map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.remove(key);
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(key);
        Ok(())
    }

    fn load_record(&self, key: &CacheKey) -> Result<Option<Vec<u8>>, StoreError> {
        let records = self
            .records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(records.get(key).cloned())
    }

    fn save_record(&self, key: &CacheKey, bytes: &[u8]) -> Result<(), StoreError> {
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key.clone(), bytes.to_vec());
        Ok(())
    }

    /// Reported as a file store: it stands in for one in tests.
    fn kind(&self) -> StoreKind {
        StoreKind::File
    }
}
