//! Secrets at rest, through the binary: no secret's plaintext in any byte
//! of the state's files, whichever provider wraps the keys; a state without
//! the key file or passphrase it needs names what is missing and is left
//! as it was; `state change-secrets-provider` re-wraps the keys.

use std::os::unix::fs::PermissionsExt;

use skistack_test_support::Project;

use crate::BIN;

/// A secret config value, a secret attribute (`std:RandomString.result`), a
/// value derived from a secret and secret outputs.
pub const STACK: &str = r#"
[config]
token = { type = "string", secret = true }

[resources.pw]
type = "std:RandomString"
length = 24
special = false

[resources.derived]
type = "std:Data"
input = "derived-${config.token}-tail"

[outputs]
password = "${pw.result}"
token = "${derived.output}"
"#;

pub const TOKEN: &str = "tok-plaintext-4711";

/// A project with the stack deployed and its token set; returns the
/// generated password.
pub fn deployed(p: &Project, provider: &[&str], env: &[(&str, &str)]) -> String {
    p.stack("sec", STACK);
    let mut set = provider.to_vec();
    set.extend(["config", "set", "sec", "token", TOKEN]);
    p.run_env(&set, env).ok().contains("[secret]").lacks(TOKEN);
    let mut up = provider.to_vec();
    up.extend(["up", "sec", "--yes"]);
    p.run_env(&up, env).ok().lacks(TOKEN);
    let mut outputs = provider.to_vec();
    outputs.extend(["outputs", "sec", "--json", "--show-secrets"]);
    let shown = p.run_env(&outputs, env).ok().json();
    assert_eq!(shown["token"], format!("derived-{TOKEN}-tail"));
    let password = shown["password"].as_str().expect("a password").to_string();
    assert_eq!(password.len(), 24);
    password
}

/// The bytes of every file of the project's state, to show that a refused
/// command wrote nothing.
fn state_bytes(p: &Project) -> Vec<Vec<u8>> {
    let dir = p.state_path().parent().expect("a state dir").to_path_buf();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("list the state dir")
        .map(|e| e.expect("an entry").path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| std::fs::read(f).expect("read a state file"))
        .collect()
}

#[test]
fn no_secret_is_in_any_byte_of_the_state() {
    let p = Project::new(BIN);
    let password = deployed(&p, &[], &[]);
    p.run(&["history", "sec"])
        .ok()
        .lacks(TOKEN)
        .lacks(&password);
    p.run(&["config", "list", "sec"])
        .ok()
        .contains("[secret]")
        .lacks(TOKEN);
    p.assert_state_lacks(&[TOKEN, &password, "derived-tok"]);

    // The default key file, made on first use, is the user's alone.
    let key = p.root().join("config-home/skistack/state.key");
    let mode = std::fs::metadata(&key)
        .expect("the key file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "{}", key.display());
}

#[test]
fn a_state_copied_without_its_key_file_reveals_nothing_and_names_the_key() {
    let p = Project::new(BIN);
    deployed(&p, &[], &[]);
    let q = Project::new(BIN);
    q.stack("sec", STACK);
    let from = p.state_path().parent().expect("a state dir").to_path_buf();
    let to = q.state_path().parent().expect("a state dir").to_path_buf();
    std::fs::create_dir_all(&to).expect("make .skistack");
    for entry in std::fs::read_dir(&from).expect("list the state dir") {
        let path = entry.expect("an entry").path();
        let file = path.file_name().expect("a file name");
        std::fs::copy(&path, to.join(file)).expect("copy a state file");
    }
    let before = state_bytes(&q);
    q.run(&["outputs", "sec", "--show-secrets"])
        .expect_code(1)
        .contains("state.key")
        .contains("missing")
        .lacks(TOKEN);
    q.run(&["up", "sec", "--yes"])
        .expect_code(1)
        .contains("missing");
    assert_eq!(
        state_bytes(&q),
        before,
        "a refused command wrote to the state"
    );
    assert!(
        !q.root().join("config-home/skistack/state.key").exists(),
        "a refused command made a key file that cannot open the state"
    );
}

#[test]
fn a_passphrase_state_needs_its_passphrase_and_moves_to_a_key_file() {
    let p = Project::new(BIN);
    let with = ["--secrets-provider", "passphrase"];
    let right = [("SKISTACK_PASSPHRASE", "correct horse battery")];
    let password = deployed(&p, &with, &right);
    p.assert_state_lacks(&[TOKEN, &password, "correct horse battery"]);
    let before = state_bytes(&p);

    let show = [
        "--secrets-provider",
        "passphrase",
        "outputs",
        "sec",
        "--show-secrets",
    ];
    p.run(&show).expect_code(1).contains("SKISTACK_PASSPHRASE");
    p.run_env(&show, &[("SKISTACK_PASSPHRASE", "wrong horse")])
        .expect_code(1)
        .contains("wrong passphrase")
        .lacks(TOKEN);
    // The default provider is told which one the state needs.
    p.run(&["outputs", "sec", "--show-secrets"])
        .expect_code(1)
        .contains("passphrase")
        .lacks(TOKEN);
    assert_eq!(
        state_bytes(&p),
        before,
        "a refused command wrote to the state"
    );

    // Re-wrapped with a key file, the state opens with the file only.
    let key = p.root().join("team.key");
    let url = format!("file://{}", key.display());
    let change = [
        "--secrets-provider",
        "passphrase",
        "state",
        "change-secrets-provider",
        &url,
    ];
    p.run_env(&change, &right).ok().contains("re-wrapped");
    let shown = p
        .run_env(
            &["outputs", "sec", "--json", "--show-secrets"],
            &[("SKISTACK_SECRETS_PROVIDER", &url)],
        )
        .ok()
        .json();
    assert_eq!(shown["password"], password.as_str());
    p.run_env(&show, &right).expect_code(1).contains(&url);
}

#[test]
fn the_project_file_chooses_the_state_and_its_secrets_provider() {
    let p = Project::new(BIN);
    p.stack("sec", STACK);
    let file = p.root().join("skistack.toml");
    std::fs::write(
        &file,
        "[state]\nurl = \"team/state.db\"\nsecrets = \"passphrase\"\n",
    )
    .expect("write skistack.toml");
    let right = [("SKISTACK_PASSPHRASE", "one for the team")];
    p.run_env(&["config", "set", "sec", "token", TOKEN], &right)
        .ok()
        .contains("[secret]");
    p.run_env(&["up", "sec", "--yes"], &right).ok();
    assert!(p.root().join("team/state.db").exists());
    assert!(!p.state_path().exists(), "the default state was used");
    // The file's provider needs its passphrase; a flag beats the file.
    p.run(&["outputs", "sec", "--show-secrets"])
        .expect_code(1)
        .contains("SKISTACK_PASSPHRASE");
    p.run_env(&["--secrets-provider", "keyfile", "outputs", "sec"], &right)
        .expect_code(1)
        .contains("encrypted with passphrase");
    p.run_env(&["--state", "other.db", "outputs", "sec"], &right)
        .expect_code(1)
        .contains("not deployed");

    // Mistakes are shown where they are, before any state is opened.
    std::fs::write(
        &file,
        "[state]\nurl = \"team/state.db\"\nsecret = \"passphrase\"\n",
    )
    .expect("write skistack.toml");
    p.run(&["outputs", "sec"])
        .expect_code(2)
        .contains("skistack.toml:3:1")
        .contains("secret");
    std::fs::write(&file, "[state]\nurl = \"gs://bucket/state\"\n").expect("write skistack.toml");
    p.run(&["outputs", "sec"])
        .expect_code(2)
        .contains("skistack.toml:2:7")
        .contains("gs://bucket/state");
}
