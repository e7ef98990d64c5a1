//! The module graph of `src/` follows docs/architecture.md: which top-level module may
//! import which, and no circle. Read from the sources: every `crate::…` path outside test
//! code is an edge from the module that holds the file to the module the path names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module → the modules it imports, and for each edge one file that makes it.
type Graph = BTreeMap<String, BTreeMap<String, String>>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "node_modules") {
                continue;
            }
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without its comments and its `#[cfg(test)] mod tests` (which may
/// import anything); `tests.rs` files are test code as a whole.
fn production_code(path: &Path) -> String {
    if path.file_name().is_some_and(|n| n == "tests.rs") {
        return String::new();
    }
    let text = std::fs::read_to_string(path).unwrap();
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => &text[..],
    };
    text.lines()
        .map(|line| match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The top-level modules a piece of code names through `crate::`, including each member
/// of a `crate::{a, b::c}` group.
fn imported_modules(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        if code[..i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
            continue; // `oauthctl_crate::` and the like
        }
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0usize;
            let mut item_start = true;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if c.is_whitespace() => {}
                    _ if item_start => {
                        let name = ident(&group[j..]);
                        if !name.is_empty() {
                            found.insert(name.to_owned());
                        }
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                found.insert(name.to_owned());
            }
        }
    }
    found
}

fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph = Graph::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_owned();
        let edges = graph.entry(module.clone()).or_default();
        for to in imported_modules(&production_code(&file)) {
            if to != module && to != "self" {
                edges.entry(to).or_insert_with(|| rel.display().to_string());
            }
        }
    }
    assert!(
        graph.contains_key("oauth") && graph.contains_key("commands"),
        "the sources were not found: {}",
        src.display()
    );
    graph
}

/// A circle through `start`, if there is one.
fn circle_through(graph: &Graph, start: &str) -> Option<Vec<String>> {
    fn walk(
        graph: &Graph,
        start: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        let Some(edges) = graph.get(path.last().unwrap()) else {
            return false;
        };
        for next in edges.keys() {
            if next == start {
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(graph, start, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_owned()];
    walk(graph, start, &mut path, &mut BTreeSet::new()).then(|| {
        path.push(start.to_owned());
        path
    })
}

#[test]
fn the_module_graph_has_no_circle() {
    let graph = graph();
    for module in graph.keys() {
        if let Some(circle) = circle_through(&graph, module) {
            panic!("import circle: {}", circle.join(" → "));
        }
    }
}

#[test]
fn layers_import_only_what_the_architecture_allows() {
    let graph = graph();
    let mut problems = Vec::new();
    let mut check = |module: &str, allowed: &dyn Fn(&str) -> bool| {
        for (to, file) in graph.get(module).into_iter().flatten() {
            if !allowed(to) {
                problems.push(format!("{module} imports {to} (src/{file})"));
            }
        }
    };
    // The domain and pure text sit at the bottom.
    check("text", &|_| false);
    check("oauth", &|to| matches!(to, "text" | "clock" | "error"));
    // Storage, the HTTP client and the dev server know no use case.
    check("store", &|to| {
        !matches!(to, "config" | "flow" | "commands" | "app" | "cli")
    });
    check("http", &|to| {
        !matches!(
            to,
            "flow" | "commands" | "store" | "app" | "cli" | "output" | "config" | "devserver"
        )
    });
    // The HTTP server is a leaf: it knows nothing of what it serves.
    check("httpd", &|_| false);
    check("devserver", &|to| {
        !matches!(to, "commands" | "flow" | "cli" | "app" | "store")
    });
    // The command line is the roof: only the composition root knows it.
    for module in graph.keys() {
        if !matches!(module.as_str(), "app" | "lib" | "main" | "cli") {
            check(module, &|to| to != "cli");
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_reader_sees_imports_in_groups_and_paths_but_not_in_comments() {
    let code = "use crate::{a, b::{c, d}, e::f};\nlet x = crate::g::h();\nuse crate::i;";
    let found: Vec<String> = imported_modules(code).into_iter().collect();
    assert_eq!(found, ["a", "b", "e", "g", "i"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m.rs");
    std::fs::write(
        &file,
        "use crate::j;\n// crate::k\nfn f() {} // crate::l\n#[cfg(test)]\nmod tests {\n    use crate::m;\n}\n",
    )
    .unwrap();
    let found: Vec<String> = imported_modules(&production_code(&file))
        .into_iter()
        .collect();
    assert_eq!(found, ["j"]);
}

/// Comments and docs stand on their own: they cite RFCs, the README and `docs/`, never
/// notes kept outside the repository.
#[test]
fn comments_cite_only_what_the_repository_holds() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    rust_files(&root.join("tests"), &mut files);
    let outside = ["design.md", "security.md", "style.md", "recipes.md"];
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let Some(at) = line.find("//") else { continue };
            let comment = &line[at..];
            if outside.iter().any(|name| comment.contains(name)) {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}
