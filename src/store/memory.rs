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
        Ok(())
    }

    /// Reported as a file store: it stands in for one in tests.
    fn kind(&self) -> StoreKind {
        StoreKind::File
    }
}
