//! Static checks of the delivery files: the game's Dockerfile and the Jenkins
//! server's pass hadolint with no finding, the GitHub workflows (deploy and
//! release) validate against GitHub's workflow schema and their scripts
//! parse, ci/jenkins.yaml is YAML of the expected shape, and the Jenkinsfile
//! and the workflows hold the stages issues 4 and 15 ask for. The linters
//! come from `scripts/pytools` (into the repo's .venv).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A file of the repository as text.
fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

/// A program of the repo's .venv, installed by scripts/pytools once per
/// test binary.
fn tool(name: &str) -> PathBuf {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let status = Command::new("bash")
            .arg(repo().join("scripts/pytools"))
            .stdin(Stdio::null())
            .status()
            .expect("run scripts/pytools");
        assert!(status.success(), "scripts/pytools failed: {status}");
    });
    repo().join(".venv/bin").join(name)
}

fn run(program: &Path, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(repo())
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("run {}: {e}", program.display()))
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// hadolint's findings on a Dockerfile at any level; inline ignore pragmas
/// are not honoured, so a finding can't be waved away in the file.
fn hadolint(path: &Path) -> (bool, String) {
    let path = path.to_str().expect("a UTF-8 path");
    let out = run(
        &tool("hadolint"),
        &[
            "--no-color",
            "--failure-threshold",
            "style",
            "--disable-ignore-pragma",
            path,
        ],
    );
    (out.status.success(), text(&out))
}

/// A YAML file as JSON, through PyYAML.
fn yaml(path: &str) -> Value {
    let script = "import json, sys, yaml\njson.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)";
    let out = run(
        &tool("python"),
        &["-c", script, repo().join(path).to_str().expect("UTF-8")],
    );
    assert!(out.status.success(), "{path} is not YAML:\n{}", text(&out));
    serde_json::from_slice(&out.stdout).expect("PyYAML's JSON")
}

/// The instructions of a Dockerfile (continuations joined, comments
/// dropped) as (keyword, arguments).
fn instructions(dockerfile: &str) -> Vec<(String, String)> {
    let mut joined = Vec::new();
    let mut current = String::new();
    for line in dockerfile.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || (trimmed.is_empty() && current.is_empty()) {
            continue;
        }
        if let Some(head) = trimmed.strip_suffix('\\') {
            current.push_str(head);
            current.push(' ');
        } else {
            current.push_str(trimmed);
            joined.push(std::mem::take(&mut current));
        }
    }
    joined
        .into_iter()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (keyword, rest) = l.split_once(' ').unwrap_or((&l, ""));
            (keyword.to_uppercase(), rest.trim().to_string())
        })
        .collect()
}

#[test]
fn the_dockerfiles_pass_hadolint_with_no_finding() {
    for path in ["app/Dockerfile", "ci/jenkins.Dockerfile"] {
        let (ok, findings) = hadolint(&repo().join(path));
        assert!(
            ok && findings.trim().is_empty(),
            "hadolint on {path}:\n{findings}"
        );
    }
}

#[test]
fn hadolint_reports_what_it_should() {
    // The check above means something only if hadolint does find problems.
    let dir = tempfile::tempdir().expect("a temp dir");
    let bad = dir.path().join("Dockerfile");
    std::fs::write(
        &bad,
        "FROM node:latest\nRUN cd /app && npm install\nCMD node server.js\n",
    )
    .expect("write a Dockerfile");
    let (ok, findings) = hadolint(&bad);
    assert!(!ok, "hadolint accepted a bad Dockerfile:\n{findings}");
    for rule in ["DL3007", "DL3003", "DL3025"] {
        assert!(findings.contains(rule), "{rule} not reported:\n{findings}");
    }
}

#[test]
fn the_game_image_is_multi_stage_pinned_non_root_with_a_health_check() {
    let dockerfile = read("app/Dockerfile");
    let steps = instructions(&dockerfile);
    let args: Vec<&String> = steps
        .iter()
        .filter(|(k, _)| k == "ARG")
        .map(|(_, a)| a)
        .collect();
    let base = |from: &str| -> String {
        let image = from.split_whitespace().next().unwrap_or_default();
        match image.strip_prefix("${").and_then(|s| s.strip_suffix('}')) {
            Some(arg) => args
                .iter()
                .find_map(|a| a.strip_prefix(&format!("{arg}=")))
                .unwrap_or_else(|| panic!("ARG {arg} has no default"))
                .to_string(),
            None => image.to_string(),
        }
    };
    let froms: Vec<(usize, &String)> = steps
        .iter()
        .enumerate()
        .filter(|(_, (k, _))| k == "FROM")
        .map(|(i, (_, a))| (i, a))
        .collect();
    assert_eq!(froms.len(), 2, "a build and a runtime stage: {froms:?}");
    for (_, from) in &froms {
        let image = base(from);
        // node:<major>.<minor>.<patch>-alpine...: a pinned LTS release.
        let tag = image
            .strip_prefix("node:")
            .unwrap_or_else(|| panic!("{image} is not a node image"));
        let (version, variant) = tag.split_once('-').unwrap_or((tag, ""));
        let parts: Vec<&str> = version.split('.').collect();
        assert!(
            parts.len() == 3 && parts.iter().all(|p| p.parse::<u32>().is_ok()),
            "{image}: not pinned to a release"
        );
        let major: u32 = parts[0].parse().unwrap_or_default();
        assert!(major.is_multiple_of(2), "{image}: odd majors are never LTS");
        assert!(variant.starts_with("alpine"), "{image}: not alpine");
    }
    assert!(froms[0].1.ends_with("AS build"), "{:?}", froms[0]);
    let (build, runtime) = steps.split_at(froms[1].0);
    let runs = |stage: &[(String, String)]| -> String {
        stage
            .iter()
            .filter(|(k, _)| k == "RUN")
            .map(|(_, a)| a.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(runs(build).contains("npm ci"), "{build:?}");
    assert!(runs(build).contains("npm run build"), "{build:?}");

    let find = |keyword: &str| -> Vec<&String> {
        runtime
            .iter()
            .filter(|(k, _)| k == keyword)
            .map(|(_, a)| a)
            .collect()
    };
    let copies = find("COPY");
    assert!(
        copies
            .iter()
            .any(|c| c.starts_with("--from=build") && c.contains("/app/dist")),
        "the runtime stage copies the build: {copies:?}"
    );
    assert!(
        !copies.iter().any(|c| c.contains("src")),
        "the runtime stage takes no sources: {copies:?}"
    );
    let user = find("USER");
    let last_user = user.last().expect("a USER in the runtime stage");
    assert!(
        !["root", "0", "0:0"].contains(&last_user.as_str()),
        "the runtime stage runs as {last_user}"
    );
    let health = find("HEALTHCHECK");
    assert!(
        health.len() == 1 && health[0].contains("CMD") && health[0].contains("healthcheck.js"),
        "{health:?}"
    );
    assert!(
        find("ENV").iter().any(|e| e.contains("PORT=")),
        "PORT has a default"
    );
    assert_eq!(find("EXPOSE"), [&"8080".to_string()]);
    assert_eq!(
        find("CMD").last().map(|s| s.as_str()),
        Some(r#"["node", "server.js"]"#)
    );
}

#[test]
fn the_docker_context_admits_only_what_the_image_needs() {
    let ignore = read("app/.dockerignore");
    let rules: Vec<&str> = ignore
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert_eq!(rules.first(), Some(&"*"), "everything is excluded first");
    for admitted in &rules[1..] {
        let path = admitted
            .strip_prefix('!')
            .unwrap_or_else(|| panic!("{admitted}: only exceptions follow `*`"));
        assert!(
            repo().join("app").join(path).exists(),
            "{path} is admitted but missing"
        );
        assert!(
            !path.contains("node_modules") && !path.contains("dist"),
            "{path}"
        );
    }
}

#[test]
fn the_workflows_validate_against_githubs_schema() {
    let check = tool("check-jsonschema");
    for workflow in [
        ".github/workflows/deploy.yml",
        ".github/workflows/release.yml",
    ] {
        let out = run(
            &check,
            &["--builtin-schema", "vendor.github-workflows", workflow],
        );
        assert!(out.status.success(), "{workflow}: {}", text(&out));
    }

    // And the schema does reject a broken workflow (a job without runs-on).
    let dir = tempfile::tempdir().expect("a temp dir");
    let broken = dir.path().join("broken.yml");
    let workflow = read(".github/workflows/deploy.yml").replace("runs-on: ubuntu-24.04", "");
    std::fs::write(&broken, workflow).expect("write the broken workflow");
    let out = run(
        &check,
        &[
            "--builtin-schema",
            "vendor.github-workflows",
            broken.to_str().expect("UTF-8"),
        ],
    );
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("runs-on"), "{}", text(&out));
}

/// Each `run` script of every job of a workflow parses as bash (`bash -n`);
/// the `${{ }}` expressions GitHub substitutes parse as words.
fn assert_scripts_parse(doc: &Value, workflow: &str) {
    for (job_name, job) in doc["jobs"].as_object().expect("jobs") {
        for script in job["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .filter_map(|s| s["run"].as_str())
        {
            let mut bash = Command::new("bash")
                .arg("-n")
                .stdin(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("run bash -n");
            std::io::Write::write_all(
                bash.stdin.as_mut().expect("bash's stdin"),
                script.as_bytes(),
            )
            .expect("write the script to bash");
            drop(bash.stdin.take());
            let out = bash.wait_with_output().expect("bash -n");
            assert!(
                out.status.success(),
                "{workflow}, job {job_name}: the script does not parse:\n{script}\n{}",
                text(&out)
            );
        }
    }
}

#[test]
fn the_release_workflow_builds_every_platform_and_publishes_checksums() {
    let workflow = ".github/workflows/release.yml";
    let doc = yaml(workflow);
    let on = doc.get("on").or_else(|| doc.get("true")).expect("`on`");
    assert_eq!(on["push"]["tags"], serde_json::json!(["v*"]));
    assert_eq!(
        doc["permissions"]["contents"], "read",
        "write access only where the release is published"
    );

    let build = &doc["jobs"]["build"];
    let mut targets: Vec<&str> = build["strategy"]["matrix"]["include"]
        .as_array()
        .expect("a matrix of targets")
        .iter()
        .map(|row| {
            assert!(row["runner"].is_string(), "{row}");
            row["target"].as_str().expect("a target")
        })
        .collect();
    targets.sort_unstable();
    assert_eq!(
        targets,
        [
            "aarch64-apple-darwin",
            "aarch64-unknown-linux-gnu",
            "x86_64-apple-darwin",
            "x86_64-unknown-linux-gnu",
        ]
    );
    let script = job_scripts(build);
    for step in [
        "cargo test --locked",
        "cargo build --locked --release --bin skistack --target",
        "tar -czf",
    ] {
        assert!(script.contains(step), "`{step}` missing in:\n{script}");
    }

    let publish = &doc["jobs"]["publish"];
    assert_eq!(publish["needs"], "build");
    assert_eq!(publish["permissions"]["contents"], "write");
    let script = job_scripts(publish);
    let sums = script.find("sha256sum").expect("checksums");
    let release = script.find("gh release create").expect("a release");
    assert!(sums < release, "checksums before publishing:\n{script}");
    assert!(script[release..].contains("SHA256SUMS"), "{script}");

    assert_scripts_parse(&doc, workflow);
    assert_scripts_parse(&yaml(".github/workflows/deploy.yml"), "deploy.yml");
}

/// Every `run` script of a workflow's job, in order, joined.
fn job_scripts(job: &Value) -> String {
    job["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_workflow_tests_builds_scans_pushes_deploys_and_smoke_tests() {
    let doc = yaml(".github/workflows/deploy.yml");
    // PyYAML reads the bare key `on` as the boolean true.
    let on = doc.get("on").or_else(|| doc.get("true")).expect("`on`");
    assert_eq!(on["push"]["branches"], serde_json::json!(["main"]));
    assert_eq!(
        doc["permissions"]["id-token"], "write",
        "OIDC, not stored keys"
    );
    assert_eq!(doc["concurrency"]["cancel-in-progress"], false);

    let test = job_scripts(&doc["jobs"]["test"]);
    assert!(
        test.contains("npm ci") && test.contains("npm test"),
        "{test}"
    );
    let deliver = &doc["jobs"]["deliver"];
    assert_eq!(deliver["needs"], "test");
    let script = job_scripts(deliver);
    let order = [
        "docker build",
        "--exit-code 1 --severity CRITICAL",
        "docker push",
        "skistack up environments --yes -c image_tag=\"$GITHUB_SHA\"",
        "skistack config set environments image_tag \"$GITHUB_SHA\"",
        "$url/health",
    ];
    let mut from = 0;
    for step in order {
        let at = script[from..]
            .find(step)
            .unwrap_or_else(|| panic!("`{step}` missing or out of order in:\n{script}"));
        from += at + step.len();
    }
    let uses: Vec<&str> = deliver["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|s| s["uses"].as_str())
        .collect();
    assert!(
        uses.iter()
            .any(|u| u.starts_with("aws-actions/configure-aws-credentials@")),
        "{uses:?}"
    );
}

/// The body of each `stage('NAME')` of a Jenkinsfile, in order.
fn stages(jenkinsfile: &str) -> Vec<(String, String)> {
    let marker = "stage('";
    let starts: Vec<usize> = jenkinsfile.match_indices(marker).map(|(i, _)| i).collect();
    starts
        .iter()
        .enumerate()
        .map(|(n, &start)| {
            let end = starts.get(n + 1).copied().unwrap_or(jenkinsfile.len());
            let body = &jenkinsfile[start..end];
            let name = body[marker.len()..]
                .split('\'')
                .next()
                .unwrap_or_default()
                .to_string();
            (name, body.to_string())
        })
        .collect()
}

#[test]
fn the_jenkinsfile_has_the_delivery_stages_in_order() {
    let jenkinsfile = read("ci/Jenkinsfile");
    assert!(jenkinsfile.contains("pipeline {"), "a declarative pipeline");
    let stages = stages(&jenkinsfile);
    let names: Vec<&str> = stages.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Checkout",
            "Test",
            "Build image",
            "Scan",
            "Build skistack",
            "Push",
            "Deploy",
            "Smoke test"
        ]
    );
    let body =
        |name: &str| -> &str { &stages.iter().find(|(n, _)| n == name).expect("the stage").1 };
    assert!(body("Checkout").contains("checkout scm"));
    assert!(body("Checkout").contains("git rev-parse HEAD"));
    assert!(body("Test").contains("npm ci") && body("Test").contains("npm test"));
    assert!(
        body("Build image").contains("docker build") && body("Build image").contains("$IMAGE_TAG")
    );
    let scan = body("Scan");
    assert!(scan.contains("TRIVY_IMAGE") && scan.contains("--exit-code 1 --severity CRITICAL"));
    let push = body("Push");
    assert!(push.contains("aws ecr get-login-password") && push.contains("--password-stdin"));
    assert!(push.contains("docker push \"$REPOSITORY_URL:$IMAGE_TAG\""));
    let deploy = body("Deploy");
    let up = deploy
        .find("skistack up environments --yes -c image_tag=\"$IMAGE_TAG\"")
        .expect("the deploy of the commit's image");
    let persist = deploy
        .find("skistack config set environments image_tag \"$IMAGE_TAG\"")
        .expect("the tag persisted in the state");
    assert!(up < persist, "the tag is recorded once deployed");
    assert!(
        deploy.contains("withCredentials"),
        "config from Jenkins credentials"
    );
    let smoke = body("Smoke test");
    assert!(smoke.contains("outputs.url") && smoke.contains("$APP_URL/health"));
    assert!(smoke.contains("status == '200'"), "only 200 passes");
    assert!(smoke.contains("aws ecs wait services-stable"));
}

#[test]
fn the_jenkins_plugins_cover_what_the_jenkinsfile_and_jenkins_yaml_use() {
    let plugins: Vec<String> = read("ci/plugins.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split(':').next().unwrap_or(l).to_string())
        .collect();
    let uses = format!("{}\n{}", read("ci/Jenkinsfile"), read("ci/jenkins.yaml"));
    // What a file uses, and the plugin that provides it.
    let providers = [
        ("pipeline {", "workflow-aggregator"),
        ("checkout scm", "git"),
        ("githubPush()", "github"),
        ("docker {", "docker-workflow"),
        ("withAWS(", "pipeline-aws"),
        ("jobs:", "job-dsl"),
        ("withCredentials(", "credentials-binding"),
        ("readJSON(", "pipeline-utility-steps"),
        ("timestamps()", "timestamper"),
    ];
    for (usage, plugin) in providers {
        assert!(
            uses.contains(usage),
            "`{usage}` is no longer used: update this test"
        );
        assert!(
            plugins.iter().any(|p| p == plugin),
            "{plugin} missing for `{usage}`"
        );
    }
    assert!(plugins.iter().any(|p| p == "configuration-as-code"));
}

/// Every string under a key that names a secret, anywhere in `value`.
fn secret_values<'a>(value: &'a Value, key: &str, found: &mut Vec<(String, &'a str)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                secret_values(v, k, found);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| secret_values(v, key, found)),
        Value::String(s) => {
            let k = key.to_lowercase();
            if ["password", "secret", "token", "privatekey"]
                .iter()
                .any(|w| k.contains(w))
            {
                found.push((key.to_string(), s));
            }
        }
        _ => {}
    }
}

#[test]
fn jenkins_yaml_defines_the_job_trigger_and_references_its_secrets() {
    let doc = yaml("ci/jenkins.yaml");
    let users = &doc["jenkins"]["securityRealm"]["local"]["users"];
    assert_eq!(users[0]["id"], "admin");
    assert_eq!(
        doc["jenkins"]["securityRealm"]["local"]["allowsSignup"],
        false
    );
    assert_eq!(
        doc["jenkins"]["authorizationStrategy"]["loggedInUsersCanDoAnything"]["allowAnonymousRead"],
        false
    );
    let mut secrets = Vec::new();
    secret_values(&doc, "", &mut secrets);
    assert!(!secrets.is_empty(), "the admin password is configured");
    for (key, value) in secrets {
        assert!(
            value.starts_with("${") && value.ends_with('}'),
            "{key} holds a literal, not a reference: {value}"
        );
    }
    assert_eq!(
        doc["unclassified"]["gitHubPluginConfig"]["hookUrl"],
        "${JENKINS_PUBLIC_URL}github-webhook/"
    );
    let script = doc["jobs"][0]["script"].as_str().expect("a Job DSL script");
    for part in [
        "pipelineJob('ceros-ski')",
        "githubPush()",
        "url('${GITHUB_REPOSITORY_URL}')",
        "credentials('github')",
        "scriptPath('ci/Jenkinsfile')",
    ] {
        assert!(script.contains(part), "`{part}` missing from:\n{script}");
    }
}

#[test]
fn no_delivery_file_holds_aws_keys() {
    for path in [
        "ci/Jenkinsfile",
        "ci/jenkins.yaml",
        "ci/jenkins.Dockerfile",
        ".github/workflows/deploy.yml",
        "stacks/ci.toml",
    ] {
        let text = read(path);
        for needle in ["AKIA", "aws_secret_access_key", "AWS_SECRET_ACCESS_KEY"] {
            assert!(!text.contains(needle), "{path} contains {needle}");
        }
    }
}

#[test]
fn the_task_definition_runs_the_image_on_its_port() {
    // The image listens on $PORT: the task definition must set it to the
    // port it maps and the target group checks.
    let stack = read("stacks/environments.toml");
    assert!(
        stack.contains(r#"{ name = "PORT", value = "${config.container_port}" }"#),
        "environments passes PORT"
    );
    assert!(stack.contains(r#"port_mappings = [{ container_port = "${config.container_port}""#));
    assert!(stack.contains(r#"port = "${config.container_port}""#));
}
