//! Filesystem functions, against files made in a temporary stack directory.

use std::path::PathBuf;

use super::*;

/// A scope whose stack directory is a fresh temporary directory holding
/// `files` (path, contents).
fn dir_scope(files: &[(&str, &[u8])]) -> (tempfile::TempDir, TestScope) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    for (path, contents) in files {
        let full = dir.path().join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(&full, contents).unwrap_or_else(|e| panic!("{e}"));
    }
    let mut sc = scope();
    sc.dir = dir.path().to_path_buf();
    (dir, sc)
}

fn run(sc: &TestScope, src: &str) -> Result<Value, ExprError> {
    eval(&parse(src), sc)
}

#[test]
fn paths() {
    assert_eq!(ok(r#"basename("foo/bar/baz.txt")"#), s("baz.txt"));
    assert_eq!(ok(r#"basename("foo/bar/")"#), s("bar"));
    assert_eq!(ok(r#"basename("/")"#), s("/"));
    assert_eq!(ok(r#"basename("")"#), s("."));
    assert_eq!(ok(r#"dirname("foo/bar/baz.txt")"#), s("foo/bar"));
    assert_eq!(ok(r#"dirname("foo")"#), s("."));
    assert_eq!(ok(r#"dirname("/foo")"#), s("/"));
    assert_eq!(ok(r#"dirname("a/./b/../c/d")"#), s("a/c"));
    let home = std::env::var("HOME").unwrap_or_default();
    assert_eq!(
        ok(r#"pathexpand("~/.ssh/id_rsa")"#),
        s(&format!("{home}/.ssh/id_rsa"))
    );
    assert_eq!(
        ok(r#"pathexpand("/etc/resolv.conf")"#),
        s("/etc/resolv.conf")
    );
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    assert_eq!(
        ok(r#"abspath("src/../Cargo.toml")"#),
        s(&base.join("Cargo.toml").to_string_lossy())
    );
}

#[test]
fn files_relative_to_the_stack() {
    let (_dir, sc) = dir_scope(&[
        ("hello.txt", b"Hello World"),
        ("bin.dat", &[0xff, 0x00]),
        ("sub/a.txt", b"a"),
    ]);
    assert_eq!(run(&sc, r#"file("hello.txt")"#), Ok(s("Hello World")));
    assert_eq!(
        run(&sc, r#"filebase64("hello.txt")"#),
        Ok(s("SGVsbG8gV29ybGQ="))
    );
    assert_eq!(run(&sc, r#"filebase64("bin.dat")"#), Ok(s("/wA=")));
    let e = run(&sc, r#"file("bin.dat")"#).unwrap_err();
    assert!(e.message.contains("not UTF-8"), "{e:?}");
    assert_eq!(e.hint.as_deref(), Some("use filebase64() for binary files"));
    assert_eq!(
        run(&sc, r#"fileexists("hello.txt")"#),
        Ok(Value::Bool(true))
    );
    assert_eq!(
        run(&sc, r#"fileexists("nope.txt")"#),
        Ok(Value::Bool(false))
    );
    assert!(
        run(&sc, r#"fileexists("sub")"#)
            .unwrap_err()
            .message
            .contains("not a regular file")
    );
    assert!(
        run(&sc, r#"file("nope.txt")"#)
            .unwrap_err()
            .message
            .contains("cannot read file `nope.txt`")
    );
}

#[test]
fn fileset_globs() {
    let (_dir, sc) = dir_scope(&[
        ("files/hello.txt", b""),
        ("files/world.txt", b""),
        ("files/other.json", b""),
        ("files/sub/deep.txt", b""),
        ("files/sub/x/y.txt", b""),
    ]);
    assert_eq!(
        run(&sc, r#"fileset("files", "*.txt")"#),
        Ok(strs(&["hello.txt", "world.txt"]))
    );
    assert_eq!(
        run(&sc, r#"fileset("files", "{hello,other}.*")"#),
        Ok(strs(&["hello.txt", "other.json"]))
    );
    assert_eq!(
        run(&sc, r#"fileset("files", "**/*.txt")"#),
        Ok(strs(&[
            "hello.txt",
            "sub/deep.txt",
            "sub/x/y.txt",
            "world.txt"
        ]))
    );
    assert_eq!(
        run(&sc, r#"fileset("files", "sub/?/*")"#),
        Ok(strs(&["sub/x/y.txt"]))
    );
    assert_eq!(
        run(&sc, r#"fileset("files", "[hw]*.txt")"#),
        Ok(strs(&["hello.txt", "world.txt"]))
    );
    assert_eq!(run(&sc, r#"fileset("missing", "*")"#), Ok(strs(&[])));
}

#[test]
fn templatefile_renders_a_file() {
    let (_dir, sc) = dir_scope(&[
        ("backends.tpl", b"backend ${addr}:${port}"),
        ("self.tpl", b"${templatefile(\"self.tpl\", {})}"),
        ("bad.tpl", b"x ${nope} y"),
    ]);
    assert_eq!(
        run(
            &sc,
            r#"templatefile("backends.tpl", jsondecode("{\"addr\": \"10.0.0.1\", \"port\": 8080}"))"#
        ),
        Ok(s("backend 10.0.0.1:8080"))
    );
    let e = run(&sc, r#"templatefile("bad.tpl", config.tags)"#).unwrap_err();
    assert!(e.message.contains("unknown variable `nope`"), "{e:?}");
    assert_eq!(e.span, Span::new(13, 22));
    assert!(run(&sc, r#"templatefile("self.tpl", config.tags)"#).is_err());
    assert_eq!(
        run(
            &sc,
            r#"templatefile("backends.tpl", jsondecode("{\"addr\": \"a\", \"port\": 1}"))"#
        ),
        Ok(s("backend a:1"))
    );
}
