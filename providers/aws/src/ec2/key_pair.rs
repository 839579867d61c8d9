//! `aws:ec2:KeyPair`: an imported SSH public key.

use async_trait::async_trait;
use aws_sdk_ec2::types::{KeyPairInfo, ResourceType as Ec2ResourceType};
use aws_smithy_types::Blob;
use skistack_engine::{Attribute, Created, Map, Property, ReadResult, TypeSchema, ValueType};

use crate::ec2::{described, own_tag_spec};
use crate::errors::{During, gone_ok};
use crate::kit::{AwsResource, Call, Out, created};
use crate::props::{read_result, str_of, with_attributes};
use crate::tags::{self, TagApi, has_identity, put_read_tags, tag_pairs, tag_property};

/// An SSH key pair made from a public key. Its id is the key name.
#[derive(Default)]
pub(crate) struct KeyPair;

/// The key's attributes: its key-pair id, its fingerprint and its ARN
/// (which names the account).
async fn attributes(call: &Call<'_>, key_pair_id: &str, fingerprint: &str) -> Out<Map> {
    let account = call.shared.account(call.clients).await?;
    let arn = call
        .clients
        .arn("ec2", &account, &format!("key-pair/{key_pair_id}"));
    let mut attrs = Map::new();
    attrs.insert("key_pair_id".into(), key_pair_id.into());
    attrs.insert("fingerprint".into(), fingerprint.into());
    attrs.insert("arn".into(), arn.into());
    Ok(attrs)
}

/// The attributes of the key as described.
async fn key_attributes(call: &Call<'_>, key: &KeyPairInfo) -> Out<Map> {
    let id = key.key_pair_id().unwrap_or_default();
    attributes(call, id, key.key_fingerprint().unwrap_or_default()).await
}

#[async_trait]
impl AwsResource for KeyPair {
    const TAGS: Option<TagApi> = Some(tags::EC2);

    fn schema() -> TypeSchema {
        TypeSchema::new(
            "aws:ec2:KeyPair",
            "An SSH key pair imported from a public key, for instances' `key_name`.",
        )
        .complete_reads()
        .properties([
            Property::required("key_name", ValueType::String)
                .force_new()
                .describe("The key's name, unique in the region."),
            Property::required("public_key", ValueType::String)
                .force_new()
                // AWS returns the key only on request and re-encoded (its
                // comment dropped): it cannot be compared with the declaration.
                .unreadable()
                .describe(
                    "The public key in OpenSSH format (ssh-ed25519 AAAA... or ssh-rsa AAAA...).",
                ),
            tag_property(),
        ])
        .attributes([
            Attribute::new("key_pair_id", ValueType::String),
            Attribute::new("fingerprint", ValueType::String),
            Attribute::new("arn", ValueType::String),
        ])
        .delete_before_replace()
    }

    /// Tags address the key by its key-pair id, not its name.
    fn tag_target(_id: &str, outputs: &Map) -> String {
        outputs
            .get("key_pair_id")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    }

    async fn create(&self, call: &Call<'_>) -> Out<Created> {
        let (clients, inputs) = (call.clients, call.inputs);
        let name = str_of(inputs, "key_name")?;
        let key = str_of(inputs, "public_key")?;
        let out = clients
            .ec2
            .import_key_pair()
            .key_name(name)
            .public_key_material(Blob::new(key.trim().as_bytes()))
            .tag_specifications(own_tag_spec(call, Ec2ResourceType::KeyPair)?)
            .send()
            .await
            .during(&format!("import key pair {name}"))?;
        let id = out.key_pair_id().unwrap_or_default();
        let attrs = attributes(call, id, out.key_fingerprint().unwrap_or_default()).await?;
        Ok(created(name.to_string(), with_attributes(inputs, attrs)))
    }

    async fn read(&self, call: &Call<'_>) -> Out<Option<ReadResult>> {
        let (ctx, clients, id, inputs) = (call.ctx, call.clients, call.id, call.inputs);
        let Some(key) = described::<KeyPairInfo>(clients, id).await? else {
            return Ok(None);
        };
        let mut read = Map::new();
        read.insert("key_name".into(), key.key_name().unwrap_or_default().into());
        put_read_tags(&mut read, ctx, inputs, tag_pairs(key.tags()));
        let attrs = key_attributes(call, &key).await?;
        Ok(Some(read_result(inputs, read, attrs)))
    }

    async fn delete(&self, call: &Call<'_>) -> Out<()> {
        let (clients, id) = (call.clients, call.id);
        let res = clients.ec2.delete_key_pair().key_name(id).send().await;
        gone_ok(&format!("delete key pair {id}"), res)
    }

    /// The key named `key_name`: the name is unique in the region.
    async fn find_all(&self, call: &Call<'_>) -> Out<Vec<Created>> {
        let name = str_of(call.inputs, "key_name")?;
        // The name is unique in the region, but a key of that name without
        // this instance's identity tags is someone else's: never adopted.
        let key = described::<KeyPairInfo>(call.clients, name).await?;
        let Some(key) = key.filter(|k| has_identity(call.ctx, tag_pairs(k.tags()))) else {
            return Ok(Vec::new());
        };
        let attrs = key_attributes(call, &key).await?;
        Ok(vec![created(name, with_attributes(call.inputs, attrs))])
    }
}
