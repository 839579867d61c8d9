//! `aws:ec2:RouteTableAssociation`: a subnet's use of a route table.

use async_trait::async_trait;
use aws_sdk_ec2::types::{
    Filter, RouteTableAssociation as AwsAssociation, RouteTableAssociationStateCode,
};
use skistack_engine::{Created, Map, Property, ReadResult, TypeSchema, ValueType};

use crate::ec2::filter;
use crate::errors::{During, gone_ok};
use crate::kit::{AwsResource, Call, Out, created};
use crate::props::{Put, read_result, str_of};
use crate::retry::retry_eventual;
use crate::shared::Clients;

/// Associates a subnet with a route table. Its id is the association id.
#[derive(Default)]
pub(crate) struct RouteTableAssociation;

/// True for an association that is gone or going (AWS lists those for a while).
fn ended(a: &AwsAssociation) -> bool {
    matches!(
        a.association_state().and_then(|s| s.state()),
        Some(
            RouteTableAssociationStateCode::Disassociated
                | RouteTableAssociationStateCode::Disassociating
        )
    )
}

/// The association that the describe `filter` finds and `is_it` picks,
/// unless it has ended; `action` names the describe in errors.
async fn association(
    clients: &Clients,
    action: &str,
    filter: Filter,
    is_it: impl Fn(&AwsAssociation) -> bool,
) -> Out<Option<AwsAssociation>> {
    let req = clients.ec2.describe_route_tables().filters(filter);
    let out = req.send().await.during(action)?;
    let mut all = out.route_tables().iter().flat_map(|t| t.associations());
    Ok(all.find(|a| is_it(a) && !ended(a)).cloned())
}

#[async_trait]
impl AwsResource for RouteTableAssociation {
    fn schema() -> TypeSchema {
        TypeSchema::new(
            "aws:ec2:RouteTableAssociation",
            "Makes a subnet use a route table instead of the VPC's main one.",
        )
        .complete_reads()
        .properties([
            Property::required("subnet_id", ValueType::String).force_new(),
            Property::required("route_table_id", ValueType::String).force_new(),
        ])
    }

    async fn create(&self, call: &Call<'_>) -> Out<Created> {
        let (clients, inputs) = (call.clients, call.inputs);
        let subnet = str_of(inputs, "subnet_id")?;
        let table = str_of(inputs, "route_table_id")?;
        let out = retry_eventual(
            &format!("associate route table {table} with subnet {subnet}"),
            &["InvalidRouteTableID.NotFound", "InvalidSubnetID.NotFound"],
            || {
                clients
                    .ec2
                    .associate_route_table()
                    .subnet_id(subnet)
                    .route_table_id(table)
                    .send()
            },
        )
        .await?;
        let id = out.association_id().unwrap_or_default().to_string();
        Ok(created(id, inputs.clone()))
    }

    async fn read(&self, call: &Call<'_>) -> Out<Option<ReadResult>> {
        let (clients, id, inputs) = (call.clients, call.id, call.inputs);
        let action = format!("describe route table association {id}");
        let by_id = filter("association.route-table-association-id", id);
        let is_it = |a: &AwsAssociation| a.route_table_association_id() == Some(id);
        let Some(assoc) = association(clients, &action, by_id, is_it).await? else {
            return Ok(None);
        };
        let mut read = Map::new();
        read.put("subnet_id", assoc.subnet_id().unwrap_or_default());
        read.put("route_table_id", assoc.route_table_id().unwrap_or_default());
        Ok(Some(read_result(inputs, read, Map::new())))
    }

    async fn delete(&self, call: &Call<'_>) -> Out<()> {
        let (clients, id) = (call.clients, call.id);
        let res = clients
            .ec2
            .disassociate_route_table()
            .association_id(id)
            .send()
            .await;
        gone_ok(&format!("disassociate route table ({id})"), res)
    }

    async fn find_all(&self, call: &Call<'_>) -> Out<Vec<Created>> {
        let (clients, inputs) = (call.clients, call.inputs);
        let subnet = str_of(inputs, "subnet_id")?;
        let table = str_of(inputs, "route_table_id")?;
        let action = format!("find the route table association of {subnet}");
        let by_subnet = filter("association.subnet-id", subnet);
        let assoc = association(clients, &action, by_subnet, |a| {
            a.subnet_id() == Some(subnet) && a.route_table_id() == Some(table)
        })
        .await?;
        let id = assoc.as_ref().and_then(|a| a.route_table_association_id());
        Ok(id
            .map(|id| created(id, inputs.clone()))
            .into_iter()
            .collect())
    }
}
