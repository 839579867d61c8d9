//! End-to-end tests of the ceros-ski stacks (`stacks/repositories.toml` and
//! `stacks/environments.toml`): the real `skistack` binary deploys them into
//! a moto server, and the AWS SDK reads the result back.
//!
//! Each test has its own moto server, its own copy of the stacks and its own
//! state file, so the tests run in parallel.

use std::collections::{BTreeMap, BTreeSet};

use skistack_test_support::cli::{out_str, out_strs};
use skistack_test_support::{Moto, Project};

use super::architecture::{self, Expected, NAME, SERVICE};
use super::plan::{
    actions, change, cloud_actions, diff_of, diff_properties, resource_actions, stack_plan,
};
use super::{Aws, moto, workspace};

/// A fresh moto, workspace and clients.
async fn setup() -> (Moto, Project, Aws) {
    let moto = moto();
    let ws = workspace(&moto.endpoint);
    let aws = Aws::connect(&moto).await;
    (moto, ws, aws)
}

/// Asserts that nothing of the stacks is left in the emulator.
async fn assert_nothing_left(aws: &Aws) {
    let left = aws.leftovers().await;
    assert!(
        left.is_empty(),
        "left behind after destroy:\n  {}",
        left.join("\n  ")
    );
}

#[tokio::test]
async fn deploys_the_architecture_and_a_second_preview_changes_nothing() {
    let (_moto, ws, aws) = setup().await;
    ws.deploy_both();
    architecture::check(&aws, &ws, &Expected::default()).await;

    let run = ws.run(&[
        "preview",
        "repositories",
        "environments",
        "--expect-no-changes",
    ]);
    run.ok();
    assert!(
        run.stdout.contains("Stack environments") && run.stdout.contains("Stack repositories"),
        "{run}"
    );
    let doc = ws.preview_json_args(&["repositories", "environments"]);
    assert_eq!(doc["changes"], false, "{doc:#}");
}

#[tokio::test]
async fn a_new_image_tag_registers_a_revision_and_updates_the_service_in_place() {
    let (_moto, ws, aws) = setup().await;
    ws.deploy_both();
    let services = aws
        .ecs
        .describe_services()
        .cluster(NAME)
        .services(SERVICE)
        .send()
        .await
        .expect("DescribeServices");
    let old_task = services.services()[0]
        .task_definition()
        .unwrap_or_default()
        .to_string();

    ws.config_set("environments", "image_tag", "v2");
    let doc = ws.preview_json_args(&["environments"]);
    let plan = stack_plan(&doc, "environments");
    assert_eq!(
        resource_actions(plan),
        actions([("service", "update"), ("task", "replace")]),
        "{plan:#}"
    );
    let task = change(plan, "task");
    assert_eq!(diff_properties(task), ["container_definitions"], "{task:#}");
    let definitions = diff_of(task, "container_definitions");
    assert_eq!(definitions["forces_replacement"], true);
    assert!(
        definitions["new"][0]["image"]
            .as_str()
            .is_some_and(|i| i.ends_with("/ceros-ski:v2")),
        "{definitions:#}"
    );
    let service = change(plan, "service");
    assert_eq!(diff_properties(service), ["task_definition"], "{service:#}");
    assert!(
        plan["outputs"].as_array().is_some_and(Vec::is_empty),
        "no output changes: {plan:#}"
    );

    let run = ws.up("environments");
    // The task is replaced (a new revision, then the old one deregistered);
    // the service is updated, not recreated.
    assert!(run.stdout.contains(": 1 replaced, 1 updated\n"), "{run}");
    architecture::check(
        &aws,
        &ws,
        &Expected {
            image_tag: "v2",
            ..Expected::default()
        },
    )
    .await;
    let after = aws
        .ecs
        .describe_services()
        .cluster(NAME)
        .services(SERVICE)
        .send()
        .await
        .expect("DescribeServices");
    let after = &after.services()[0];
    let new_task = after.task_definition().unwrap_or_default();
    assert_ne!(new_task, old_task, "the service runs the new revision");
    assert!(
        old_task.ends_with(":1") && new_task.ends_with(":2"),
        "revision 1 then 2: {old_task} -> {new_task}"
    );
    let old = aws
        .ecs
        .describe_task_definition()
        .task_definition(&old_task)
        .send()
        .await
        .expect("DescribeTaskDefinition");
    assert_eq!(
        old.task_definition()
            .and_then(|t| t.status())
            .map(|s| s.as_str()),
        Some("INACTIVE"),
        "the old revision is deregistered"
    );
    ws.run(&[
        "preview",
        "repositories",
        "environments",
        "--expect-no-changes",
    ])
    .ok();
}

#[tokio::test]
async fn raising_az_count_adds_the_third_zone_and_leaves_the_rest_alone() {
    let (_moto, ws, aws) = setup().await;
    ws.deploy_both();
    let before = ws.masked_outputs("environments");
    let resources_before = tagged_resources(&aws).await;

    ws.config_set("environments", "az_count", "3");
    let doc = ws.preview_json_args(&["environments"]);
    let plan = stack_plan(&doc, "environments");
    let third_zone = [
        "public[2]",
        "private[2]",
        "public_association[2]",
        "private_association[2]",
        "private_routes[2]",
        "private_default_route[2]",
        "nat_ip[2]",
        "nat[2]",
    ];
    let mut expected: BTreeMap<String, String> = third_zone
        .iter()
        .map(|a| (a.to_string(), "create".to_string()))
        .collect();
    // The subnet lists of the group, the load balancer and the service grow
    // in place.
    expected.extend(actions([
        ("asg", "update"),
        ("alb", "update"),
        ("service", "update"),
    ]));
    // Resources that now depend on more instances are updates of the state
    // only (no provider call), which the check after `up` confirms.
    assert_eq!(cloud_actions(plan), expected, "{plan:#}");
    assert_eq!(
        diff_properties(change(plan, "asg")),
        ["vpc_zone_identifier"]
    );
    assert_eq!(diff_properties(change(plan, "alb")), ["subnets"]);
    assert_eq!(
        diff_properties(change(plan, "service")),
        ["network_configuration"]
    );
    assert_eq!(plan["summary"].get("replace"), None, "{plan:#}");
    assert_eq!(plan["summary"].get("delete"), None, "{plan:#}");

    ws.up("environments");
    let after = architecture::check(
        &aws,
        &ws,
        &Expected {
            zones: 3,
            ..Expected::default()
        },
    )
    .await;
    assert_eq!(after["vpc_id"], before["vpc_id"]);
    for list in ["public_subnet_ids", "private_subnet_ids"] {
        assert_eq!(
            out_strs(&after, list)[..2],
            out_strs(&before, list)[..],
            "the first two zones' {list} stay"
        );
    }
    // Nothing that existed was replaced or deleted; what is new belongs to
    // the third zone.
    let resources_after = tagged_resources(&aws).await;
    let gone: Vec<_> = resources_before.difference(&resources_after).collect();
    assert!(gone.is_empty(), "replaced or deleted: {gone:?}");
    let added: BTreeSet<&str> = resources_after
        .difference(&resources_before)
        .map(|(name, _)| name.as_str())
        .collect();
    assert!(
        added.iter().all(|a| third_zone.contains(a)),
        "new resources outside the third zone: {added:?}"
    );
    for name in ["public[2]", "private[2]", "private_routes[2]", "nat[2]"] {
        assert!(added.contains(name), "{name} was not added: {added:?}");
    }
    ws.run(&[
        "preview",
        "repositories",
        "environments",
        "--expect-no-changes",
    ])
    .ok();
}

/// (logical name, ARN) of every resource the tagging API lists with the
/// stacks' tags, less the container instances that the auto scaling group
/// starts and stops on its own.
async fn tagged_resources(aws: &Aws) -> BTreeSet<(String, String)> {
    aws.tagged_by_skistack()
        .await
        .into_iter()
        .filter_map(|(arn, tags)| {
            let name = tags.get("skistack:resource")?.clone();
            (!tags.contains_key("aws:autoscaling:groupName")).then_some((name, arn))
        })
        .collect()
}

#[tokio::test]
async fn a_single_nat_gateway_serves_every_zone() {
    let (_moto, ws, aws) = setup().await;
    ws.up("repositories");
    ws.configure_environments();
    ws.config_set("environments", "single_nat_gateway", "true");
    ws.up("environments");
    architecture::check(
        &aws,
        &ws,
        &Expected {
            single_nat: true,
            ..Expected::default()
        },
    )
    .await;
}

#[tokio::test]
async fn environments_needs_repositories_first_and_a_forced_destroy_overrides_the_dependency() {
    let (_moto, ws, aws) = setup().await;
    ws.configure_environments();
    let run = ws.run(&["up", "environments", "--yes"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("skistack up repositories"),
        "the message says to deploy repositories first:\n{run}"
    );
    let vpcs = aws.ec2.describe_vpcs().send().await.expect("DescribeVpcs");
    assert!(
        vpcs.vpcs().iter().all(|v| v.is_default() == Some(true)),
        "nothing was created: {:?}",
        vpcs.vpcs()
    );

    // Following the advice works.
    ws.up("repositories");
    ws.up("environments");

    // A destroy of the stack that environments reads is refused...
    let run = ws.run(&["destroy", "repositories", "--yes"]);
    run.expect_code(1);
    assert!(
        run.stderr.contains("refusing") && run.stderr.contains("environments"),
        "{run}"
    );
    let repos = aws
        .ecr
        .describe_repositories()
        .send()
        .await
        .expect("DescribeRepositories");
    assert_eq!(
        repos.repositories().len(),
        1,
        "the refused destroy deleted nothing"
    );
    // ...unless forced.
    ws.run(&["destroy", "repositories", "--yes", "--force"])
        .ok();
    let repos = aws
        .ecr
        .describe_repositories()
        .send()
        .await
        .expect("DescribeRepositories");
    assert!(
        repos.repositories().is_empty(),
        "{:?}",
        repos.repositories()
    );
    let outputs = ws.masked_outputs("environments");
    let vpc = aws
        .ec2
        .describe_vpcs()
        .vpc_ids(out_str(&outputs, "vpc_id"))
        .send()
        .await
        .expect("DescribeVpcs");
    assert_eq!(vpc.vpcs().len(), 1, "environments stays deployed");
    ws.run(&["outputs", "repositories"]).expect_code(1);

    ws.run(&["destroy", "--yes"]).ok();
    assert_nothing_left(&aws).await;
}

#[tokio::test]
async fn destroying_environments_then_repositories_leaves_nothing_behind() {
    let (_moto, ws, aws) = setup().await;
    ws.deploy_both();
    // The check must see what is deployed, or it proves nothing.
    let before = aws.leftovers().await;
    assert!(
        before.len() > 30,
        "the deployment is visible to the leftovers check: {before:?}"
    );

    let run = ws.run(&["destroy", "repositories", "--yes"]);
    run.expect_code(1);
    assert!(
        run.stderr.contains("refusing") && run.stderr.contains("environments"),
        "{run}"
    );
    ws.run(&["destroy", "environments", "--yes"]).ok();
    ws.run(&["outputs", "environments"]).expect_code(1);
    ws.run(&["destroy", "repositories", "--yes"]).ok();
    ws.run(&["outputs", "repositories"]).expect_code(1);
    assert_nothing_left(&aws).await;
}

#[tokio::test]
async fn destroy_without_a_stack_orders_the_stacks_and_leaves_nothing_behind() {
    let (_moto, ws, aws) = setup().await;
    ws.deploy_both();
    let run = ws.run(&["destroy", "--yes"]);
    run.ok();
    let environments = run.stdout.find("destroy environments:");
    let repositories = run.stdout.find("destroy repositories:");
    assert!(
        matches!((environments, repositories), (Some(e), Some(r)) if e < r),
        "environments is destroyed before repositories:\n{run}"
    );
    for stack in ["environments", "repositories"] {
        ws.run(&["outputs", stack]).expect_code(1);
    }
    assert_nothing_left(&aws).await;
}
