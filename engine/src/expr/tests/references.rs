//! Static reference extraction.

use super::*;

fn refs(src: &str) -> Vec<String> {
    tpl(src)
        .references()
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn chains_in_templates_calls_and_indices() {
    assert_eq!(
        refs(r#"${vpc.id}-${subnet[count.index].id}-${join(",", bucket[*].arn)}"#),
        ["vpc.id", "subnet[...].id", "count.index", "bucket[*].arn"]
    );
    assert_eq!(refs("${stacks.network.vpc_id}"), ["stacks.network.vpc_id"]);
    assert_eq!(refs(r#"${bucket["logs"].arn}"#), [r#"bucket["logs"].arn"#]);
    assert_eq!(refs("${azs.names[0]}"), ["azs.names[0]"]);
    assert_eq!(
        refs("${each.key}/${each.value}"),
        ["each.key", "each.value"]
    );
    assert_eq!(
        refs("${config.tags[each.key]}"),
        ["config.tags[...]", "each.key"]
    );
    assert_eq!(refs("${1 + 2} plain ${\"x\"}"), Vec::<String>::new());
    assert_eq!(refs("${-a + b * c}"), ["a", "b", "c"]);
    assert_eq!(refs("${[a, [b.c]]}"), ["a", "b.c"]);
    // A chain on a call result is not a reference, but the call's args are.
    assert_eq!(refs("${element(subnet, 0).id}"), ["subnet"]);
    assert_eq!(refs("${a[b[c]].d}"), ["a[...].d", "b[...]", "c"]);
    assert_eq!(refs("plain"), Vec::<String>::new());
}

#[test]
fn paths_and_spans() {
    let r = tpl("x-${subnet[*].a.b}").references();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].root, "subnet");
    assert_eq!(
        r[0].path,
        [
            PathSegment::Splat,
            PathSegment::Attr("a".into()),
            PathSegment::Attr("b".into())
        ]
    );
    assert_eq!(r[0].span, Span::new(4, 17));
    let r = tpl(r#"${m["k"][2][count.index]}"#).references();
    assert_eq!(
        r[0].path,
        [
            PathSegment::Index(Some(s("k"))),
            PathSegment::Index(Some(Value::Int(2))),
            PathSegment::SameKey
        ]
    );
    assert_eq!(r[0].span, Span::new(2, 24));
    assert_eq!(r[1].root, "count");
    assert_eq!(r[1].span, Span::new(12, 23));
    // Only the instance's own key is `SameKey`; other computed indexes are not.
    let r = tpl(r#"${m[each.key]}${m[length(x)]}${m[count.index + 1]}"#).references();
    let paths: Vec<_> = r
        .iter()
        .filter(|r| r.root == "m")
        .map(|r| &r.path)
        .collect();
    assert_eq!(
        paths,
        [
            &vec![PathSegment::SameKey],
            &vec![PathSegment::Index(None)],
            &vec![PathSegment::Index(None)]
        ]
    );
}

#[test]
fn nested_templates_collect_everything() {
    let t = Template::List(
        vec![
            tpl("${a.x}"),
            Template::Map(
                vec![("k".into(), tpl("p-${b}")), ("l".into(), tpl("lit"))],
                Span::default(),
            ),
        ],
        Span::default(),
    );
    let names: Vec<String> = t.references().iter().map(|r| r.root.clone()).collect();
    assert_eq!(names, ["a", "b"]);
    assert!(!t.is_literal());
}

#[test]
fn for_loop_variables_are_local() {
    assert_eq!(
        refs("${[for s in subnet : s.id if s.az != config.name]}"),
        ["subnet", "config.name"]
    );
    assert_eq!(
        refs("${{for k, v in config.tags : k => v if vpc.id != \"\"}}"),
        ["config.tags", "vpc.id"]
    );
    // A loop variable shadows an outer name inside the body only.
    assert_eq!(
        refs("${[for vpc in vpc.ids : vpc]} ${vpc.id}"),
        ["vpc.ids", "vpc.id"]
    );
    assert_eq!(refs("${[for x in a : [for y in x : y + b]]}"), ["a", "b"]);
}

#[test]
fn new_forms_report_their_references() {
    assert_eq!(refs("${a ? b.c : d[0]}"), ["a", "b.c", "d[0]"]);
    assert_eq!(refs("${{k = a, (b) = 1}}"), ["a", "b"]);
    assert_eq!(refs("${!a && b == c}"), ["a", "b", "c"]);
    assert_eq!(refs("${try(a.x, b)} ${can(c)}"), ["a.x", "b", "c"]);
    assert_eq!(refs("${max(a...)}"), ["a"]);
}

#[test]
fn splat_indexes_are_part_of_the_path() {
    let r = tpl("${subnet[*].ips[0]}").references();
    assert_eq!(
        r[0].path,
        [
            PathSegment::Splat,
            PathSegment::Attr("ips".into()),
            PathSegment::Index(Some(Value::Int(0)))
        ]
    );
    assert_eq!(refs("${a[*].b[c]}"), ["a[*].b[...]", "c"]);
    assert_eq!(refs("${a.*.b}"), ["a[*].b"]);
}
