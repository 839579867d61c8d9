//! What instances and launch templates share: metadata options, the root
//! volume, user data, the instance profile, and the AMI's root device name.

use aws_sdk_ec2::types::Volume;
use base64::Engine;
use skistack_engine::{Map, Property, ProviderError, Value, ValueType};

use crate::errors::During;
use crate::props::{Put, opt_bool, opt_i32, opt_map, opt_str, put_opt, read_back_object};
use crate::shared::Clients;

/// The `metadata_options` block (instance metadata service).
pub(crate) fn metadata_options_property() -> Property {
    Property::optional(
        "metadata_options",
        ValueType::Object(vec![
            Property::optional("http_tokens", ValueType::String)
                .default("required")
                .describe("\"required\" (IMDSv2 only, the default) or \"optional\"."),
            Property::optional("http_endpoint", ValueType::String)
                .default("enabled")
                .describe("\"enabled\" or \"disabled\"."),
            Property::optional("http_put_response_hop_limit", ValueType::Int)
                .describe("1 to 64; containers behind a bridge need 2."),
        ]),
    )
    .describe(
        "Instance metadata service settings; IMDSv2 is required unless http_tokens says otherwise.",
    )
}

/// The metadata settings, with defaults filled in (IMDSv2 required).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Metadata {
    pub http_tokens: String,
    pub http_endpoint: String,
    pub hop_limit: Option<i32>,
}

impl Metadata {
    pub fn from_inputs(inputs: &Map) -> Result<Metadata, ProviderError> {
        let empty = Map::new();
        let m = opt_map(inputs, "metadata_options")?.unwrap_or(&empty);
        Ok(Metadata {
            http_tokens: opt_str(m, "http_tokens")?.unwrap_or("required").to_string(),
            http_endpoint: opt_str(m, "http_endpoint")?
                .unwrap_or("enabled")
                .to_string(),
            hop_limit: opt_i32(m, "http_put_response_hop_limit")?,
        })
    }

    /// The block with every setting.
    fn to_map(&self) -> Map {
        let mut m = Map::new();
        m.insert("http_tokens".into(), self.http_tokens.clone().into());
        m.insert("http_endpoint".into(), self.http_endpoint.clone().into());
        if let Some(h) = self.hop_limit {
            m.put("http_put_response_hop_limit", Value::Int(i64::from(h)));
        }
        m
    }

    /// The block as read back from AWS for drift detection: what the
    /// declaration sets, and other settings only where they differ from
    /// their defaults (AWS reports them all).
    pub fn read_back(&self, inputs: &Map) -> Result<Value, ProviderError> {
        let fields = match metadata_options_property().ty {
            ValueType::Object(fields) => fields,
            _ => Vec::new(),
        };
        let declared = opt_map(inputs, "metadata_options")?;
        Ok(Value::Map(read_back_object(
            &fields,
            declared,
            self.to_map(),
        )))
    }

    /// The block read back from the settings AWS reports for an instance
    /// or a launch template (token use, endpoint, hop limit; the hop limit
    /// only when declared), as [`Metadata::read_back`] has it; `None` when
    /// the declaration leaves the block out and AWS has the defaults.
    pub fn read_back_from(
        inputs: &Map,
        http_tokens: Option<&str>,
        http_endpoint: Option<&str>,
        hop_limit: Option<i32>,
    ) -> Result<Option<Value>, ProviderError> {
        let metadata = Metadata {
            http_tokens: http_tokens.unwrap_or_default().to_string(),
            http_endpoint: http_endpoint.unwrap_or_default().to_string(),
            hop_limit: Metadata::from_inputs(inputs)?.hop_limit.and(hop_limit),
        };
        let is_default = metadata == Metadata::from_inputs(&Map::new())?;
        if inputs.contains_key("metadata_options") || !is_default {
            return metadata.read_back(inputs).map(Some);
        }
        Ok(None)
    }
}

/// The `root_block_device` block.
pub(crate) fn root_block_device_property() -> Property {
    Property::optional(
        "root_block_device",
        ValueType::Object(vec![
            Property::optional("volume_size", ValueType::Int)
                .describe("GiB; the AMI's size when left out."),
            Property::optional("volume_type", ValueType::String).describe("gp3, gp2, io1..."),
            Property::optional("encrypted", ValueType::Bool)
                .default(true)
                .describe("Encrypt the volume (the default)."),
        ]),
    )
    .force_new()
    .describe("The root volume. It is encrypted unless `encrypted = false`.")
}

/// The root volume settings, with defaults filled in (encrypted).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RootDevice {
    pub volume_size: Option<i32>,
    pub volume_type: Option<String>,
    pub encrypted: bool,
}

impl RootDevice {
    /// The `root_block_device` block as AWS reports the volume.
    pub fn read_from(volume: &Volume) -> Map {
        let mut m = Map::new();
        put_opt(&mut m, "volume_size", volume.size().map(i64::from));
        put_opt(
            &mut m,
            "volume_type",
            volume.volume_type().map(|t| t.as_str()),
        );
        put_opt(&mut m, "encrypted", volume.encrypted());
        m
    }

    pub fn from_inputs(inputs: &Map) -> Result<RootDevice, ProviderError> {
        let empty = Map::new();
        let m = opt_map(inputs, "root_block_device")?.unwrap_or(&empty);
        Ok(RootDevice {
            volume_size: opt_i32(m, "volume_size")?,
            volume_type: opt_str(m, "volume_type")?.map(str::to_string),
            encrypted: opt_bool(m, "encrypted")?.unwrap_or(true),
        })
    }
}

/// User data as EC2 takes it: base64.
pub(crate) fn encode_user_data(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text.as_bytes())
}

/// Whether an instance profile reference is an ARN (else a name).
pub(crate) fn is_arn(profile: &str) -> bool {
    profile.starts_with("arn:")
}

/// The root device name of an AMI (/dev/xvda, /dev/sda1...), needed to
/// set the root volume's size, type and encryption.
pub(crate) async fn root_device_name(
    clients: &Clients,
    ami: &str,
) -> Result<String, ProviderError> {
    let out = clients
        .ec2
        .describe_images()
        .image_ids(ami)
        .send()
        .await
        .during(&format!("describe AMI {ami}"))?;
    let image = out.images().first().ok_or_else(|| {
        ProviderError::Invalid(format!(
            "AMI {ami} does not exist or is not visible to this account"
        ))
    })?;
    Ok(image.root_device_name().unwrap_or("/dev/xvda").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_left_at_their_default_are_no_drift() {
        let mut declared = Map::new();
        declared.insert(
            "metadata_options".into(),
            Value::Map(Map::from([("http_tokens".into(), "required".into())])),
        );
        let mut read = Metadata::from_inputs(&declared).expect("declared");
        let only_tokens = Value::Map(Map::from([("http_tokens".into(), "required".into())]));
        assert_eq!(read.read_back(&declared).expect("read"), only_tokens);
        read.http_endpoint = "disabled".into();
        let back = read.read_back(&declared).expect("read");
        assert_eq!(
            back.as_map().and_then(|m| m.get("http_endpoint")),
            Some(&Value::from("disabled")),
            "a setting changed from its default is drift"
        );
    }

    #[test]
    fn defaults_are_secure() {
        let m = Metadata::from_inputs(&Map::new()).expect("defaults");
        assert_eq!(m.http_tokens, "required");
        assert_eq!(m.http_endpoint, "enabled");
        assert_eq!(m.hop_limit, None);
        let r = RootDevice::from_inputs(&Map::new()).expect("defaults");
        assert!(r.encrypted);
    }

    #[test]
    fn user_data_is_base64() {
        assert_eq!(encode_user_data("#!/bin/sh\n"), "IyEvYmluL3NoCg==");
    }
}
