//! The state file under stress, through the binary: a read-only file, a
//! directory, a file that is not a skistack state, one from a newer
//! skistack, a full disk. Each fails with exit code 1 and a clear message
//! before any provider call (a std:Command that would leave a marker file
//! never runs), and the file is left byte for byte as it was. An older
//! schema is migrated after a backup copy.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use skistack_test_support::cli::{Project, Run};

use crate::BIN;

/// A project with a deployed stack `base` (so the state file holds data)
/// and a stack `web` whose up would create `marker`.
fn project() -> (Project, PathBuf) {
    let p = Project::new(BIN);
    let marker = p.root().join("marker");
    p.stack("base", "[resources.a]\ntype = \"std:Data\"\ninput = 1\n");
    p.stack(
        "web",
        &format!(
            "[resources.touch]\ntype = \"std:Command\"\ncreate = \"touch {}\"\n",
            marker.display()
        ),
    );
    (p, marker)
}

/// Runs `up web` on the state file `state`; it must fail with exit code 1
/// saying `message`, before any provider call.
#[track_caller]
fn refused(p: &Project, marker: &Path, state: &Path, message: &str) -> Run {
    let state = state.to_str().expect("a UTF-8 path");
    let run = p.run(&["up", "web", "--yes", "--state", state]);
    run.expect_code(1).contains(message);
    assert!(!marker.exists(), "the provider ran despite the error");
    run
}

#[test]
fn a_read_only_state_file_is_refused_and_left_alone() {
    let (p, marker) = project();
    p.up("base");
    let path = p.state_path();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400)).unwrap();
    let before = std::fs::read(&path).unwrap();
    refused(&p, &marker, &path, "state file is read-only");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    // Once writable again, it works.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    p.up("web");
    assert!(marker.exists());
}

#[test]
fn a_directory_as_state_path_is_refused() {
    let (p, marker) = project();
    let dir = p.root().join("states");
    std::fs::create_dir(&dir).unwrap();
    refused(&p, &marker, &dir, "is a directory, not a state file");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

#[test]
fn files_that_are_not_skistack_states_are_refused_and_left_alone() {
    let (p, marker) = project();
    let text = p.root().join("notes.txt");
    std::fs::write(&text, "shopping list: skis, wax, goggles\n".repeat(10)).unwrap();
    refused(
        &p,
        &marker,
        &text,
        "not a skistack state file (not a SQLite database)",
    );
    assert_eq!(
        std::fs::read_to_string(&text).unwrap(),
        "shopping list: skis, wax, goggles\n".repeat(10)
    );

    let other = p.root().join("other.db");
    {
        let db = rusqlite::Connection::open(&other).unwrap();
        db.execute_batch("CREATE TABLE orders (id INTEGER); INSERT INTO orders VALUES (1);")
            .unwrap();
    }
    let before = std::fs::read(&other).unwrap();
    refused(
        &p,
        &marker,
        &other,
        "a SQLite database of another application",
    );
    assert_eq!(std::fs::read(&other).unwrap(), before);
}

#[test]
fn a_state_from_a_newer_skistack_is_refused_and_left_alone() {
    let (p, marker) = project();
    p.up("base");
    let path = p.state_path();
    {
        let db = rusqlite::Connection::open(&path).unwrap();
        db.pragma_update(None, "user_version", 99).unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let run = refused(
        &p,
        &marker,
        &path,
        "written by a newer skistack (schema version 99",
    );
    run.contains("upgrade skistack");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn an_older_schema_is_backed_up_then_migrated() {
    let (p, marker) = project();
    let path = p.state_path();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    {
        // Version 0: stamped as skistack's, before any table existed.
        let db = rusqlite::Connection::open(&path).unwrap();
        db.pragma_update(None, "application_id", 0x534B_4953)
            .unwrap();
    }
    p.up("web");
    assert!(marker.exists());
    let backup = PathBuf::from(format!("{}.bak-v0", path.display()));
    let old = rusqlite::Connection::open(&backup).expect("the backup exists");
    let version: i64 = old
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, 0, "the backup is the file before the migration");
    let migrated: i64 = p
        .db()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert!(migrated >= 1);
    assert_eq!(p.recorded("web", "default"), ["touch"]);
}

/// A tmpfs of a few pages mounted on a directory, unmounted when dropped.
struct Tmpfs {
    dir: PathBuf,
}

impl Tmpfs {
    /// `None` where this process may not mount (not root, no CAP_SYS_ADMIN).
    fn mount(dir: &Path, bytes: usize) -> Option<Tmpfs> {
        use std::ffi::CString;
        std::fs::create_dir_all(dir).unwrap();
        let target = CString::new(dir.to_str().unwrap()).unwrap();
        let options = CString::new(format!("size={bytes}")).unwrap();
        // SAFETY: valid NUL-terminated strings that outlive the call.
        let rc = unsafe {
            libc::mount(
                c"tmpfs".as_ptr(),
                target.as_ptr(),
                c"tmpfs".as_ptr(),
                0,
                options.as_ptr().cast(),
            )
        };
        (rc == 0).then(|| Tmpfs {
            dir: dir.to_path_buf(),
        })
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let target = std::ffi::CString::new(self.dir.to_str().unwrap()).unwrap();
        // SAFETY: a valid path; MNT_DETACH unmounts even if a file is open.
        unsafe {
            libc::umount2(target.as_ptr(), libc::MNT_DETACH);
        }
    }
}

/// Fills the file system holding `dir` until a write fails.
fn fill(dir: &Path) {
    use std::io::Write;
    let mut filler = std::fs::File::create(dir.join("filler")).unwrap();
    let block = vec![0u8; 4096];
    while filler
        .write_all(&block)
        .and_then(|_| filler.flush())
        .is_ok()
    {}
}

#[test]
fn a_full_disk_is_reported_before_any_provider_call() {
    let (p, marker) = project();
    let Some(disk) = Tmpfs::mount(&p.root().join("small-disk"), 256 * 1024) else {
        eprintln!(
            "a_full_disk_is_reported_before_any_provider_call: cannot mount a tmpfs here (needs root); skipped"
        );
        return;
    };
    let state = disk.dir.join("state.db");
    let state_arg = state.to_str().unwrap();
    p.run(&["up", "base", "--yes", "--state", state_arg]).ok();
    fill(&disk.dir);
    let before = std::fs::read(&state).unwrap();
    refused(&p, &marker, &state, "the disk is probably full");
    assert_eq!(std::fs::read(&state).unwrap(), before);

    // With room again, the same up goes through and the file is sound.
    std::fs::remove_file(disk.dir.join("filler")).unwrap();
    p.run(&["up", "web", "--yes", "--state", state_arg]).ok();
    assert!(marker.exists());
    let db = rusqlite::Connection::open(&state).unwrap();
    let check: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}
