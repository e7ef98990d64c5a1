//! `oauthctl demo` and its built-in user agent.

pub mod agent;
