//! Container definitions of a task definition, given either as a JSON string
//! (the form AWS documents, camelCase) or as a list of tables (the natural
//! form in a stack file, snake_case). Keys are matched without regard to case
//! or underscores, so `portMappings` and `port_mappings` are the same key.

use aws_sdk_ecs::types::{
    ApplicationProtocol, ContainerCondition, ContainerDefinition, ContainerDependency, HealthCheck,
    KeyValuePair, LogConfiguration, LogDriver, PortMapping, Secret, TransportProtocol,
};
use skistack_engine::{Map, ProviderError, Value};

/// The container definitions of a `container_definitions` property value.
pub(super) fn container_definitions(v: &Value) -> Result<Vec<ContainerDefinition>, ProviderError> {
    let parsed;
    let v = match v.unwrap_secret().0 {
        Value::String(json) => {
            let j: serde_json::Value = serde_json::from_str(json)
                .map_err(|e| invalid(format!("container_definitions is not valid JSON: {e}")))?;
            parsed = Value::from_json(&j);
            &parsed
        }
        other => other,
    };
    let items = v.as_list().ok_or_else(|| {
        invalid(
            "container_definitions must be a list of containers (or a JSON array of them)".into(),
        )
    })?;
    if items.is_empty() {
        return Err(invalid(
            "container_definitions must hold at least one container".into(),
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let m = item
                .as_map()
                .ok_or_else(|| invalid(format!("container_definitions[{i}] must be a table")))?;
            container(&Fields::new(m, &format!("container_definitions[{i}]")))
        })
        .collect()
}

fn invalid(msg: String) -> ProviderError {
    ProviderError::Invalid(msg)
}

/// A key in the form it is matched in: lower case, no underscores.
fn norm(key: &str) -> String {
    key.chars()
        .filter(|c| *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// The fields of one table, by normalized key, with typed getters whose
/// errors name the field's path.
struct Fields<'a> {
    path: String,
    fields: Vec<(String, &'a str, &'a Value)>,
}

impl<'a> Fields<'a> {
    fn new(m: &'a Map, path: &str) -> Fields<'a> {
        Fields {
            path: path.to_string(),
            fields: m
                .iter()
                .filter(|(_, v)| !matches!(v, Value::Null))
                .map(|(k, v)| (norm(k), k.as_str(), v))
                .collect(),
        }
    }

    /// Fails on a key outside `known` (normalized), so a typo is an error
    /// rather than a silently missing setting.
    fn only(&self, known: &[&str]) -> Result<(), ProviderError> {
        match self
            .fields
            .iter()
            .find(|(n, _, _)| !known.contains(&n.as_str()))
        {
            Some((_, key, _)) => Err(invalid(format!(
                "{}: unknown or unsupported key `{key}`",
                self.path
            ))),
            None => Ok(()),
        }
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.fields
            .iter()
            .find(|(n, _, _)| n == key)
            .map(|(_, _, v)| *v)
    }

    fn at(&self, key: &str) -> String {
        format!("{}.{key}", self.path)
    }

    /// The field `key` through `convert`, or an error saying it must be
    /// `want` when `convert` refuses it: the one check of every getter.
    fn typed<T>(
        &self,
        key: &str,
        want: &str,
        convert: impl FnOnce(&'a Value) -> Option<T>,
    ) -> Result<Option<T>, ProviderError> {
        let bad = || invalid(format!("{} must be {want}", self.at(key)));
        self.get(key)
            .map(|v| convert(v).ok_or_else(bad))
            .transpose()
    }

    fn str(&self, key: &str) -> Result<Option<String>, ProviderError> {
        self.typed(key, "a string", scalar_string)
    }

    fn req_str(&self, key: &str) -> Result<String, ProviderError> {
        self.str(key)?
            .ok_or_else(|| invalid(format!("{} is required", self.at(key))))
    }

    fn int(&self, key: &str) -> Result<Option<i32>, ProviderError> {
        self.typed(key, "an integer", |v| {
            let n = match v.unwrap_secret().0 {
                Value::String(s) => s.trim().parse::<i64>().ok(),
                other => other.as_int(),
            };
            n.and_then(|n| i32::try_from(n).ok())
        })
    }

    fn bool(&self, key: &str) -> Result<Option<bool>, ProviderError> {
        self.typed(key, "true or false", Value::as_bool)
    }

    fn strs(&self, key: &str) -> Result<Option<Vec<String>>, ProviderError> {
        self.typed(key, "a list of strings", |v| {
            v.as_list()?.iter().map(scalar_string).collect()
        })
    }

    fn table(&self, key: &str) -> Result<Option<Fields<'a>>, ProviderError> {
        self.typed(key, "a table", |v| {
            v.as_map().map(|m| Fields::new(m, &self.at(key)))
        })
    }

    fn tables(&self, key: &str) -> Result<Option<Vec<Fields<'a>>>, ProviderError> {
        let Some(items) = self.typed(key, "a list of tables", Value::as_list)? else {
            return Ok(None);
        };
        let each = |(i, item): (usize, &'a Value)| {
            let path = format!("{}[{i}]", self.at(key));
            let table = item.as_map().map(|m| Fields::new(m, &path));
            table.ok_or_else(|| invalid(format!("{path} must be a table")))
        };
        items
            .iter()
            .enumerate()
            .map(each)
            .collect::<Result<_, _>>()
            .map(Some)
    }

    /// A table of string values (docker labels, log options) as pairs.
    fn string_table(&self, key: &str) -> Result<Option<Vec<(String, String)>>, ProviderError> {
        let Some(m) = self.typed(key, "a table of strings", Value::as_map)? else {
            return Ok(None);
        };
        let each = |(k, v): (&String, &Value)| {
            let s = scalar_string(v).map(|s| (k.clone(), s));
            s.ok_or_else(|| invalid(format!("{}.{k} must be a string", self.at(key))))
        };
        m.iter().map(each).collect::<Result<_, _>>().map(Some)
    }
}

/// Strings, numbers and bools as text (environment values are often numbers).
fn scalar_string(v: &Value) -> Option<String> {
    match v.unwrap_secret().0 {
        Value::String(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

const CONTAINER_KEYS: &[&str] = &[
    "name",
    "image",
    "cpu",
    "memory",
    "memoryreservation",
    "essential",
    "portmappings",
    "environment",
    "secrets",
    "logconfiguration",
    "command",
    "entrypoint",
    "workingdirectory",
    "user",
    "hostname",
    "stoptimeout",
    "starttimeout",
    "healthcheck",
    "dependson",
    "dockerlabels",
    "readonlyrootfilesystem",
    "privileged",
    "links",
];

fn container(f: &Fields<'_>) -> Result<ContainerDefinition, ProviderError> {
    f.only(CONTAINER_KEYS)?;
    let mut c = ContainerDefinition::builder()
        .name(f.req_str("name")?)
        .image(f.req_str("image")?)
        .set_memory(f.int("memory")?)
        .set_memory_reservation(f.int("memoryreservation")?)
        .set_essential(f.bool("essential")?)
        .set_command(f.strs("command")?)
        .set_entry_point(f.strs("entrypoint")?)
        .set_working_directory(f.str("workingdirectory")?)
        .set_user(f.str("user")?)
        .set_hostname(f.str("hostname")?)
        .set_stop_timeout(f.int("stoptimeout")?)
        .set_start_timeout(f.int("starttimeout")?)
        .set_readonly_root_filesystem(f.bool("readonlyrootfilesystem")?)
        .set_privileged(f.bool("privileged")?)
        .set_links(f.strs("links")?);
    if let Some(cpu) = f.int("cpu")? {
        c = c.cpu(cpu);
    }
    if let Some(ports) = f.tables("portmappings")? {
        c = c.set_port_mappings(Some(
            ports.iter().map(port_mapping).collect::<Result<_, _>>()?,
        ));
    }
    if let Some(env) = environment(f)? {
        c = c.set_environment(Some(env));
    }
    if let Some(secrets) = f.tables("secrets")? {
        c = c.set_secrets(Some(secrets.iter().map(secret).collect::<Result<_, _>>()?));
    }
    if let Some(log) = f.table("logconfiguration")? {
        c = c.log_configuration(log_configuration(&log)?);
    }
    if let Some(hc) = f.table("healthcheck")? {
        c = c.health_check(health_check(&hc)?);
    }
    if let Some(deps) = f.tables("dependson")? {
        c = c.set_depends_on(Some(deps.iter().map(dependency).collect::<Result<_, _>>()?));
    }
    if let Some(labels) = f.string_table("dockerlabels")? {
        for (k, v) in labels {
            c = c.docker_labels(k, v);
        }
    }
    Ok(c.build())
}

fn port_mapping(f: &Fields<'_>) -> Result<PortMapping, ProviderError> {
    f.only(&[
        "containerport",
        "hostport",
        "protocol",
        "name",
        "appprotocol",
    ])?;
    Ok(PortMapping::builder()
        .set_container_port(f.int("containerport")?)
        .set_host_port(f.int("hostport")?)
        .set_protocol(
            f.str("protocol")?
                .map(|p| TransportProtocol::from(p.to_lowercase().as_str())),
        )
        .set_name(f.str("name")?)
        .set_app_protocol(
            f.str("appprotocol")?
                .map(|p| ApplicationProtocol::from(p.to_lowercase().as_str())),
        )
        .build())
}

/// The environment: AWS's list of `{name, value}`, or a plain table.
fn environment(f: &Fields<'_>) -> Result<Option<Vec<KeyValuePair>>, ProviderError> {
    match f.get("environment").map(|v| v.unwrap_secret().0) {
        None => Ok(None),
        Some(Value::Map(_)) => Ok(f.string_table("environment")?.map(|pairs| {
            pairs
                .into_iter()
                .map(|(k, v)| KeyValuePair::builder().name(k).value(v).build())
                .collect()
        })),
        Some(_) => {
            let items = f.tables("environment")?.unwrap_or_default();
            items
                .iter()
                .map(|e| {
                    e.only(&["name", "value"])?;
                    Ok(KeyValuePair::builder()
                        .name(e.req_str("name")?)
                        .value(e.str("value")?.unwrap_or_default())
                        .build())
                })
                .collect::<Result<_, _>>()
                .map(Some)
        }
    }
}

fn secret(f: &Fields<'_>) -> Result<Secret, ProviderError> {
    f.only(&["name", "valuefrom"])?;
    Secret::builder()
        .name(f.req_str("name")?)
        .value_from(f.req_str("valuefrom")?)
        .build()
        .map_err(|e| invalid(format!("{}: {e}", f.path)))
}

fn log_configuration(f: &Fields<'_>) -> Result<LogConfiguration, ProviderError> {
    f.only(&["logdriver", "options"])?;
    let mut log =
        LogConfiguration::builder().log_driver(LogDriver::from(f.req_str("logdriver")?.as_str()));
    for (k, v) in f.string_table("options")?.unwrap_or_default() {
        log = log.options(k, v);
    }
    log.build().map_err(|e| invalid(format!("{}: {e}", f.path)))
}

fn health_check(f: &Fields<'_>) -> Result<HealthCheck, ProviderError> {
    f.only(&["command", "interval", "timeout", "retries", "startperiod"])?;
    HealthCheck::builder()
        .set_command(Some(f.strs("command")?.ok_or_else(|| {
            invalid(format!("{} is required", f.at("command")))
        })?))
        .set_interval(f.int("interval")?)
        .set_timeout(f.int("timeout")?)
        .set_retries(f.int("retries")?)
        .set_start_period(f.int("startperiod")?)
        .build()
        .map_err(|e| invalid(format!("{}: {e}", f.path)))
}

fn dependency(f: &Fields<'_>) -> Result<ContainerDependency, ProviderError> {
    f.only(&["containername", "condition"])?;
    ContainerDependency::builder()
        .container_name(f.req_str("containername")?)
        .condition(ContainerCondition::from(f.req_str("condition")?.as_str()))
        .build()
        .map_err(|e| invalid(format!("{}: {e}", f.path)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_tables_give_the_same_containers() {
        let json = r#"[{
            "name": "web", "image": "nginx:1.27", "cpu": 256, "memory": 512, "essential": true,
            "portMappings": [{"containerPort": 80, "hostPort": 0, "protocol": "tcp"}],
            "environment": [{"name": "MODE", "value": "prod"}],
            "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/web"}}
        }]"#;
        let from_json = container_definitions(&Value::from(json)).expect("valid JSON definitions");

        let mut port = Map::new();
        port.insert("container_port".into(), Value::Int(80));
        port.insert("host_port".into(), Value::Int(0));
        port.insert("protocol".into(), "TCP".into());
        let mut env = Map::new();
        env.insert("MODE".into(), "prod".into());
        let mut opts = Map::new();
        opts.insert("awslogs-group".into(), "/ecs/web".into());
        let mut log = Map::new();
        log.insert("log_driver".into(), "awslogs".into());
        log.insert("options".into(), Value::Map(opts));
        let mut c = Map::new();
        c.insert("name".into(), "web".into());
        c.insert("image".into(), "nginx:1.27".into());
        c.insert("cpu".into(), Value::Int(256));
        c.insert("memory".into(), Value::Int(512));
        c.insert("essential".into(), Value::Bool(true));
        c.insert("port_mappings".into(), Value::List(vec![Value::Map(port)]));
        c.insert("environment".into(), Value::Map(env));
        c.insert("log_configuration".into(), Value::Map(log));
        let from_tables =
            container_definitions(&Value::List(vec![Value::Map(c)])).expect("valid tables");

        assert_eq!(from_json, from_tables);
        let web = &from_json[0];
        assert_eq!(web.image(), Some("nginx:1.27"));
        assert_eq!(web.cpu(), 256);
        assert_eq!(web.port_mappings()[0].container_port(), Some(80));
        assert_eq!(
            web.port_mappings()[0].protocol(),
            Some(&TransportProtocol::Tcp)
        );
        assert_eq!(
            web.log_configuration().map(|l| l.log_driver()),
            Some(&LogDriver::Awslogs)
        );
    }

    #[test]
    fn mistakes_are_named() {
        let err = container_definitions(&Value::from(
            r#"[{"name": "web", "image": "x", "portMapings": []}]"#,
        ))
        .expect_err("typo");
        assert!(err.to_string().contains("portMapings"), "{err}");
        let err =
            container_definitions(&Value::from(r#"[{"name": "web"}]"#)).expect_err("no image");
        assert!(
            err.to_string()
                .contains("container_definitions[0].image is required"),
            "{err}"
        );
        let err = container_definitions(&Value::from("{not json")).expect_err("bad json");
        assert!(err.to_string().contains("not valid JSON"), "{err}");
        let err = container_definitions(&Value::from(
            r#"[{"name": "w", "image": "x", "cpu": "lots"}]"#,
        ))
        .expect_err("bad cpu");
        assert!(err.to_string().contains("cpu must be an integer"), "{err}");
    }
}
