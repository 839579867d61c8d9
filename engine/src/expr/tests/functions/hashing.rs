//! Hash and UUID functions: digests against known values, uuid and bcrypt
//! unknown until apply.

use super::datetime::applying;
use super::*;

#[test]
fn string_digests() {
    assert_eq!(
        ok(r#"md5("hello world")"#),
        s("5eb63bbbe01eeed093cb22bb8f5acdc3")
    );
    assert_eq!(
        ok(r#"sha1("hello world")"#),
        s("2aae6c35c94fcfb415dbe95f408b9ce91ee846ed")
    );
    assert_eq!(
        ok(r#"sha256("hello world")"#),
        s("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")
    );
    assert_eq!(
        ok(r#"sha512("hello world")"#),
        s(
            "309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f"
        )
    );
    assert_eq!(
        ok(r#"base64sha256("hello world")"#),
        s("uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=")
    );
    assert_eq!(
        ok(r#"base64sha512("hello world")"#),
        s(
            "MJ7MSJwS1utMxA9QyQLytNDtd+5RGnx6m808qG1M2G+YndNbxf9JlnDaNCVbRbDP2DDoH2Bdz33FVC6TrpzXbw=="
        )
    );
    assert_eq!(ok("md5(1)"), ok(r#"md5("1")"#));
    assert!(ok("sha256(config.password)").contains_secret());
}

#[test]
fn file_digests_equal_string_digests() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("f.txt"), "hello world").unwrap_or_else(|e| panic!("{e}"));
    let mut sc = scope();
    sc.dir = dir.path().to_path_buf();
    for name in [
        "md5",
        "sha1",
        "sha256",
        "sha512",
        "base64sha256",
        "base64sha512",
    ] {
        let file_fn = match name.strip_prefix("base64") {
            Some(rest) => format!("filebase64{rest}"),
            None => format!("file{name}"),
        };
        assert_eq!(
            eval(&parse(&format!("{file_fn}(\"f.txt\")")), &sc),
            Ok(ok(&format!("{name}(\"hello world\")"))),
            "{file_fn}"
        );
    }
    assert!(
        eval(&parse("filemd5(\"nope\")"), &sc)
            .unwrap_err()
            .message
            .contains("cannot read file")
    );
}

#[test]
fn uuids() {
    assert_eq!(
        ok(r#"uuidv5("dns", "www.terraform.io")"#),
        s("a5008fae-b28c-5ba5-96cd-82b4c53552d6")
    );
    assert_eq!(
        ok(r#"uuidv5("url", "https://www.terraform.io/")"#),
        s("9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5")
    );
    assert_eq!(
        ok(r#"uuidv5("oid", "1.3.6.1.4")"#),
        s("af9d40a5-7a36-5c07-b23a-851cd99fbfa5")
    );
    assert_eq!(
        ok(r#"uuidv5("x500", "CN=Example,C=GB")"#),
        s("84e09961-4aa4-57f8-95b7-03edb1073253")
    );
    assert_eq!(
        ok(r#"uuidv5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.terraform.io")"#),
        s("a5008fae-b28c-5ba5-96cd-82b4c53552d6")
    );
    let e = err(r#"uuidv5("nope", "x")"#);
    assert!(e.message.contains("not a UUID namespace"), "{e:?}");
    assert_eq!(e.span, Span::new(7, 13));
    assert_eq!(ok("uuid()"), Value::Unknown);
    let id = applying("uuid()").unwrap_or_else(|e| panic!("{e:?}"));
    let id = id.as_str().unwrap_or_default();
    assert_eq!(id.len(), 36);
    assert_eq!(&id[14..15], "4", "version 4: {id}");
    assert!(
        matches!(&id[19..20], "8" | "9" | "a" | "b"),
        "variant: {id}"
    );
}

#[test]
fn bcrypt_is_unknown_until_apply() {
    assert_eq!(ok(r#"bcrypt("hello world")"#), Value::Unknown);
    assert!(
        err(r#"bcrypt("x", 3)"#)
            .message
            .contains("between 4 and 31")
    );
    let h = applying(r#"bcrypt("hello world", 4)"#).unwrap_or_else(|e| panic!("{e:?}"));
    let h = h.as_str().unwrap_or_default().to_string();
    assert!(h.starts_with("$2a$04$"), "{h}");
    assert!(bcrypt::verify("hello world", &h).unwrap_or(false));
}
