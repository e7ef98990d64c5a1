//! From the parsed command line to the options of the helper commands:
//! `jwt sign`, `git-credential` and `doctor`.

use crate::cli;
use crate::commands::{doctor, git_credential, jwt_sign};

impl From<cli::JwtSignArgs> for jwt_sign::Options {
    fn from(a: cli::JwtSignArgs) -> Self {
        Self {
            claims: a.claims,
            key: a.key,
            secret_env: a.secret_env,
            alg: a.alg,
            exp: a.exp,
            no_exp: a.no_exp,
            no_iat: a.no_iat,
            no_jti: a.no_jti,
            nbf: a.nbf,
            iss: a.iss,
            sub: a.sub,
            aud: a.aud,
            kid: a.kid,
            typ: a.typ,
        }
    }
}

impl From<cli::GitOperation> for git_credential::Operation {
    fn from(o: cli::GitOperation) -> Self {
        match o {
            cli::GitOperation::Get => Self::Get,
            cli::GitOperation::Store => Self::Store,
            cli::GitOperation::Erase => Self::Erase,
        }
    }
}

impl From<cli::GitCredentialArgs> for git_credential::Options {
    fn from(a: cli::GitCredentialArgs) -> Self {
        Self {
            operation: a.operation.into(),
        }
    }
}

impl From<cli::DoctorArgs> for doctor::Options {
    fn from(a: cli::DoctorArgs) -> Self {
        Self { url: a.url }
    }
}
