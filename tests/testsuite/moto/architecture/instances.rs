//! The container instances (launch template and auto scaling group) and the
//! load balancer in front of them.

use aws_sdk_ec2::types::LaunchTemplateHttpTokensState;
use aws_sdk_elasticloadbalancingv2::types::{
    ActionTypeEnum, LoadBalancerSchemeEnum, LoadBalancerTypeEnum,
};
use skistack_test_support::cli::out_str;

use super::{ASG, Deployed, Groups, NAME, set};
use crate::moto::aws::{Aws, assert_tagged, ec2_tags};

/// The launch template (IMDSv2, no public IP, the instances' group) and the
/// auto scaling group that uses it, in the private subnets only.
pub(super) async fn check_launch_template_and_group(aws: &Aws, d: &Deployed, groups: &Groups) {
    let templates = aws
        .ec2
        .describe_launch_templates()
        .launch_template_names(ASG)
        .send()
        .await
        .expect("DescribeLaunchTemplates");
    let template = &templates.launch_templates()[0];
    assert_tagged(
        "launch template",
        &ec2_tags(template.tags()),
        "environments",
        "launch_template",
    );
    let template_id = template.launch_template_id().unwrap_or_default();
    let versions = aws
        .ec2
        .describe_launch_template_versions()
        .launch_template_id(template_id)
        .versions("$Latest")
        .send()
        .await
        .expect("DescribeLaunchTemplateVersions");
    let data = versions.launch_template_versions()[0]
        .launch_template_data()
        .expect("the template's data");
    let tokens = data.metadata_options().and_then(|m| m.http_tokens());
    assert_eq!(
        tokens,
        Some(&LaunchTemplateHttpTokensState::Required),
        "IMDSv2 is required"
    );
    let interface = data
        .network_interfaces()
        .first()
        .expect("the template's network interface");
    assert_eq!(
        interface.associate_public_ip_address(),
        Some(false),
        "container instances get no public IP"
    );
    assert_eq!(
        set(interface.groups().iter().map(String::as_str)),
        set([groups.instances.as_str()])
    );

    let asgs = aws
        .autoscaling
        .describe_auto_scaling_groups()
        .auto_scaling_group_names(ASG)
        .send()
        .await
        .expect("DescribeAutoScalingGroups");
    let asg = &asgs.auto_scaling_groups()[0];
    let subnets = set(asg
        .vpc_zone_identifier()
        .unwrap_or_default()
        .split(',')
        .map(str::trim));
    assert_eq!(
        subnets,
        set(d.private.iter().map(String::as_str)),
        "the group's subnets are the private ones"
    );
    assert_eq!(
        (asg.min_size(), asg.max_size(), asg.desired_capacity()),
        (Some(2), Some(4), Some(2))
    );
    assert_eq!(
        asg.launch_template().and_then(|t| t.launch_template_id()),
        Some(template_id)
    );
    assert_tagged(
        "auto scaling group",
        &aws.asg_tags(ASG).await,
        "environments",
        "asg",
    );
    // moto starts the group's instances (with no ECS agent on them).
    assert_eq!(asg.instances().len(), 2, "{asg:?}");
    for i in asg.instances() {
        let id = i.instance_id().unwrap_or_default();
        let out = aws
            .ec2
            .describe_instances()
            .instance_ids(id)
            .send()
            .await
            .expect("DescribeInstances");
        let subnet = out.reservations()[0].instances()[0]
            .subnet_id()
            .unwrap_or_default();
        assert!(
            d.private.iter().any(|p| p == subnet),
            "container instance {id} is in {subnet}, not a private subnet"
        );
    }
}

/// The load balancer: internet-facing, in the public subnets, with its own
/// group and a listener on 80 forwarding to a target group that checks `/`.
/// Returns the target group's ARN.
pub(super) async fn check_load_balancer(aws: &Aws, d: &Deployed, groups: &Groups) -> String {
    let lbs = aws
        .elb
        .describe_load_balancers()
        .names(NAME)
        .send()
        .await
        .expect("DescribeLoadBalancers");
    let lb = &lbs.load_balancers()[0];
    let lb_arn = lb.load_balancer_arn().unwrap_or_default();
    assert_eq!(lb.scheme(), Some(&LoadBalancerSchemeEnum::InternetFacing));
    assert_eq!(lb.r#type(), Some(&LoadBalancerTypeEnum::Application));
    let subnets = set(lb.availability_zones().iter().filter_map(|z| z.subnet_id()));
    assert_eq!(
        subnets,
        set(d.public.iter().map(String::as_str)),
        "the load balancer's subnets are the public ones"
    );
    assert_eq!(lb.security_groups(), std::slice::from_ref(&groups.alb));
    assert_eq!(
        out_str(&d.outputs, "url"),
        format!("http://{}", lb.dns_name().unwrap_or_default())
    );
    assert_tagged(
        "load balancer",
        &aws.elb_tags(lb_arn).await,
        "environments",
        "alb",
    );

    let listeners = aws
        .elb
        .describe_listeners()
        .load_balancer_arn(lb_arn)
        .send()
        .await
        .expect("DescribeListeners");
    assert_eq!(
        listeners.listeners().len(),
        1,
        "{:?}",
        listeners.listeners()
    );
    let listener = &listeners.listeners()[0];
    assert_eq!(listener.port(), Some(80));
    let action = &listener.default_actions()[0];
    assert_eq!(action.r#type(), Some(&ActionTypeEnum::Forward));
    let tg_arn = action.target_group_arn().unwrap_or_default().to_string();
    let tgs = aws
        .elb
        .describe_target_groups()
        .target_group_arns(&tg_arn)
        .send()
        .await
        .expect("DescribeTargetGroups");
    let tg = &tgs.target_groups()[0];
    assert_eq!((tg.health_check_path(), tg.port()), (Some("/"), Some(80)));
    assert_eq!(tg.vpc_id(), Some(d.vpc_id.as_str()));
    assert_tagged(
        "target group",
        &aws.elb_tags(&tg_arn).await,
        "environments",
        "target_group",
    );
    tg_arn
}
