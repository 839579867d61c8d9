//! Read-only commands: validate, outputs, history, graph, types.

use skistack_engine::EngineError;
use skistack_engine::TypeSchema;
use skistack_engine::format_unix;

use super::{Exit, project, registry};
use crate::cli::{Global, GraphFormat, OutputsArgs};
use crate::render;

pub fn validate(global: &Global, stacks: &[String]) -> Result<Exit, Exit> {
    let project = project(global)?;
    let names = if stacks.is_empty() {
        project.stack_names()?
    } else {
        stacks.to_vec()
    };
    let mut errors = Vec::new();
    for name in &names {
        match project.validate(name) {
            Ok((stack, checked)) => {
                let resources = stack.decls.len();
                println!(
                    "{name}: ok ({resources} declarations, {} outputs, {} stack reference(s))",
                    stack.outputs.len(),
                    checked.stack_refs.len()
                );
            }
            Err(EngineError::Invalid(d)) => errors.extend(d),
            Err(e) => return Err(e.into()),
        }
    }
    if errors.is_empty() {
        Ok(Exit::Ok)
    } else {
        Err(Exit::Invalid(errors))
    }
}

pub fn outputs(global: &Global, args: &OutputsArgs) -> Result<Exit, Exit> {
    let project = project(global)?;
    let key = project.key(&args.stack);
    let Some(outputs) = project
        .store
        .outputs(&key)
        .map_err(|e| Exit::Failed(e.to_string()))?
    else {
        return Err(Exit::Failed(format!(
            "stack {key} is not deployed; run `skistack up {}` first",
            args.stack
        )));
    };
    if args.json {
        let j = skistack_engine::Value::Map(outputs).to_display_json(args.show_secrets);
        println!("{}", serde_json::to_string_pretty(&j).unwrap_or_default());
    } else {
        print!("{}", render::outputs_text(&outputs, args.show_secrets));
    }
    Ok(Exit::Ok)
}

pub fn history(global: &Global, stack: &str) -> Result<Exit, Exit> {
    let project = project(global)?;
    let key = project.key(stack);
    let entries = project
        .store
        .history(&key)
        .map_err(|e| Exit::Failed(e.to_string()))?;
    if entries.is_empty() {
        println!("No history for stack {key}.");
        return Ok(Exit::Ok);
    }
    println!(
        "{:<24} {:<8} {:<12} {:>9}  changes",
        "when", "kind", "result", "duration"
    );
    for e in entries {
        let counts: Vec<String> = e.counts.iter().map(|(k, n)| format!("{k}={n}")).collect();
        println!(
            "{:<24} {:<8} {:<12} {:>8.1}s  {}",
            format_unix(e.started_at),
            e.kind,
            e.result,
            e.duration_ms as f64 / 1000.0,
            if counts.is_empty() {
                "-".to_string()
            } else {
                counts.join(" ")
            }
        );
    }
    Ok(Exit::Ok)
}

pub fn graph(global: &Global, stack: &str, format: GraphFormat) -> Result<Exit, Exit> {
    let project = project(global)?;
    let (stack, checked) = project.parse(stack)?;
    let mut out = String::new();
    match format {
        GraphFormat::Dot => {
            out.push_str(&format!("digraph {:?} {{\n  rankdir=LR;\n", stack.name));
            for d in &stack.decls {
                out.push_str(&format!(
                    "  {:?} [label=\"{}\\n{}\"];\n",
                    d.name, d.name, d.type_token
                ));
            }
            for (i, d) in stack.decls.iter().enumerate() {
                for j in checked.graph.dependencies(i) {
                    out.push_str(&format!("  {:?} -> {:?};\n", stack.decls[j].name, d.name));
                }
            }
            out.push_str("}\n");
        }
        GraphFormat::Mermaid => {
            out.push_str("graph LR\n");
            let id = |n: &str| n.replace('-', "_");
            for d in &stack.decls {
                out.push_str(&format!(
                    "  {}[\"{}<br/>{}\"]\n",
                    id(&d.name),
                    d.name,
                    d.type_token
                ));
            }
            for (i, d) in stack.decls.iter().enumerate() {
                for j in checked.graph.dependencies(i) {
                    out.push_str(&format!(
                        "  {} --> {}\n",
                        id(&stack.decls[j].name),
                        id(&d.name)
                    ));
                }
            }
        }
    }
    print!("{out}");
    Ok(Exit::Ok)
}

pub fn types(global: &Global, token: Option<&str>) -> Result<Exit, Exit> {
    let r = registry(global);
    let Some(token) = token else {
        println!("Resource types:");
        for t in r.resource_tokens() {
            println!("  {t}");
        }
        println!("Data sources:");
        for t in r.data_tokens() {
            println!("  {t}");
        }
        return Ok(Exit::Ok);
    };
    let schema: Option<&TypeSchema> = r
        .resource(token)
        .map(|t| t.schema())
        .or_else(|| r.data_source(token).map(|d| d.schema()));
    let Some(s) = schema else {
        let all: Vec<&str> = r.resource_tokens().chain(r.data_tokens()).collect();
        let hint = skistack_engine::did_you_mean(token, all)
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        return Err(Exit::Failed(format!("no type `{token}`{hint}")));
    };
    println!("{}: {}", s.token, s.description);
    println!("Properties:");
    for p in &s.properties {
        let mut flags = Vec::new();
        if p.required {
            flags.push("required".to_string());
        }
        if let Some(d) = &p.default {
            flags.push(format!("default {d}"));
        }
        if p.force_new {
            flags.push("forces replacement".into());
        }
        if p.secret {
            flags.push("secret".into());
        }
        println!(
            "  {} ({}{}) {}",
            p.name,
            p.ty.describe(),
            if flags.is_empty() {
                String::new()
            } else {
                format!("; {}", flags.join(", "))
            },
            p.description
        );
    }
    println!("Attributes:\n  id (a string)");
    for a in &s.attributes {
        println!(
            "  {} ({}{}) {}",
            a.name,
            a.ty.describe(),
            if a.secret { "; secret" } else { "" },
            a.description
        );
    }
    Ok(Exit::Ok)
}
