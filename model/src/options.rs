//! The choices that describe how a model loads: weight dtype, device, quantization at load and the KV
//! cache's type. Plain enums, parsed where they enter (command-line flags, editor settings, HTTP
//! bodies) through `FromStr` or serde, so a bad value is an error naming the option and the values it
//! takes before anything loads. Turning them into candle types (opening a device) happens at load.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A value an option does not take: says which option, the value given and the values accepted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a {option}: expected {expected}")]
pub struct OptionError {
    /// The option, in words (`dtype`, `KV cache type`).
    pub option: &'static str,
    pub value: String,
    /// The accepted values, in words (`f32, f16 or bf16`).
    pub expected: &'static str,
}

/// Values are matched case-insensitively, ignoring surrounding spaces.
fn normalized(s: &str) -> String {
    s.trim().to_ascii_lowercase()
}

/// Serde through `FromStr` and `Display`, so settings and flags accept the same spellings.
macro_rules! serde_via_str {
    ($ty:ty) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

/// The dtype safetensors weights load in (`LoadOptions::dtype`; unset: the best for the device).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WeightDtype {
    F32,
    F16,
    Bf16,
}

impl WeightDtype {
    pub const EXPECTED: &'static str = "f32, f16 or bf16";

    pub fn dtype(self) -> candle_core::DType {
        match self {
            Self::F32 => candle_core::DType::F32,
            Self::F16 => candle_core::DType::F16,
            Self::Bf16 => candle_core::DType::BF16,
        }
    }
}

impl FromStr for WeightDtype {
    type Err = OptionError;

    fn from_str(s: &str) -> Result<Self, OptionError> {
        match normalized(s).as_str() {
            "f32" | "float32" => Ok(Self::F32),
            "f16" | "float16" | "half" => Ok(Self::F16),
            "bf16" | "bfloat16" => Ok(Self::Bf16),
            _ => Err(OptionError {
                option: "dtype",
                value: s.to_owned(),
                expected: Self::EXPECTED,
            }),
        }
    }
}

impl fmt::Display for WeightDtype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::F32 => "f32",
            Self::F16 => "f16",
            Self::Bf16 => "bf16",
        })
    }
}

serde_via_str!(WeightDtype);

/// The device a model runs on (`LoadOptions::device`; unset: the best compiled in and present).
/// Whether it is present is known only when it is opened, at load.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeviceSpec {
    Cpu,
    /// A CUDA GPU by ordinal (`cuda` is `cuda:0`).
    Cuda(usize),
    Metal,
}

impl DeviceSpec {
    pub const EXPECTED: &'static str = "cpu, cuda, cuda:N or metal";
}

impl FromStr for DeviceSpec {
    type Err = OptionError;

    fn from_str(s: &str) -> Result<Self, OptionError> {
        let bad = || OptionError {
            option: "device",
            value: s.to_owned(),
            expected: Self::EXPECTED,
        };
        match normalized(s).as_str() {
            "cpu" => Ok(Self::Cpu),
            "metal" => Ok(Self::Metal),
            "cuda" => Ok(Self::Cuda(0)),
            other => match other.strip_prefix("cuda:").map(str::parse::<usize>) {
                Some(Ok(ordinal)) => Ok(Self::Cuda(ordinal)),
                _ => Err(bad()),
            },
        }
    }
}

impl fmt::Display for DeviceSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Cpu => f.write_str("cpu"),
            Self::Cuda(ordinal) => write!(f, "cuda:{ordinal}"),
            Self::Metal => f.write_str("metal"),
        }
    }
}

serde_via_str!(DeviceSpec);

/// The weight types `LoadOptions::quantize` quantizes a safetensors checkpoint's matrices to at load
/// (see `quantize`; unset: none).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Quantization {
    /// 8-bit, one f16 scale per 32 weights: 8.5 bits per weight.
    Q8_0,
    /// 4-bit k-quant, super-blocks of 256 weights with 6-bit sub-block scales: 4.5 bits per weight.
    Q4K,
}

impl Quantization {
    pub const ALL: [Quantization; 2] = [Self::Q8_0, Self::Q4K];
    pub const EXPECTED: &'static str = "q8_0 or q4_k";

    pub fn name(self) -> &'static str {
        match self {
            Self::Q8_0 => "q8_0",
            Self::Q4K => "q4_k",
        }
    }
}

impl FromStr for Quantization {
    type Err = OptionError;

    fn from_str(s: &str) -> Result<Self, OptionError> {
        let name = normalized(s);
        Self::ALL
            .into_iter()
            .find(|q| q.name() == name)
            .ok_or_else(|| OptionError {
                option: "quantization",
                value: s.to_owned(),
                expected: Self::EXPECTED,
            })
    }
}

impl fmt::Display for Quantization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

serde_via_str!(Quantization);

/// `quantize` as users write it: a quantization, or `none` to keep the checkpoint's weights as they are
/// (where the default would quantize them; see `LoadOptions::cpu_default_quantize`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QuantizeSetting {
    None,
    To(Quantization),
}

impl QuantizeSetting {
    pub const EXPECTED: &'static str = "q8_0, q4_k or none";

    pub fn quantization(self) -> Option<Quantization> {
        match self {
            Self::None => None,
            Self::To(q) => Some(q),
        }
    }
}

impl FromStr for QuantizeSetting {
    type Err = OptionError;

    fn from_str(s: &str) -> Result<Self, OptionError> {
        if normalized(s) == "none" {
            return Ok(Self::None);
        }
        s.parse().map(Self::To).map_err(|_| OptionError {
            option: "quantization",
            value: s.to_owned(),
            expected: Self::EXPECTED,
        })
    }
}

impl fmt::Display for QuantizeSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("none"),
            Self::To(q) => q.fmt(f),
        }
    }
}

serde_via_str!(QuantizeSetting);

/// The type keys and values are cached in (`LoadOptions::kv_cache`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum KvCacheType {
    /// f16 on the CPU for quantized and 16-bit weights (half the bytes per decoded token and per
    /// cached prefix, as llama.cpp's default), the activations' type for f32 checkpoints and on GPUs.
    #[default]
    Auto,
    F16,
    F32,
    /// One byte per value and an f32 scale per position and KV head, about half of f16's bytes (see
    /// `kv_cache::KvType::Int8`). CPU only.
    Int8,
}

impl KvCacheType {
    pub const EXPECTED: &'static str = "auto, f16, f32 or int8";
}

impl FromStr for KvCacheType {
    type Err = OptionError;

    fn from_str(s: &str) -> Result<Self, OptionError> {
        match normalized(s).as_str() {
            "auto" => Ok(Self::Auto),
            "f16" => Ok(Self::F16),
            "f32" => Ok(Self::F32),
            "int8" => Ok(Self::Int8),
            _ => Err(OptionError {
                option: "KV cache type",
                value: s.to_owned(),
                expected: Self::EXPECTED,
            }),
        }
    }
}

impl fmt::Display for KvCacheType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Auto => "auto",
            Self::F16 => "f16",
            Self::F32 => "f32",
            Self::Int8 => "int8",
        })
    }
}

serde_via_str!(KvCacheType);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Every value's `Display` parses back to it, and serde uses the same spelling.
    fn round_trips<T>(values: &[T])
    where
        T: FromStr<Err = OptionError>
            + fmt::Display
            + fmt::Debug
            + PartialEq
            + Serialize
            + for<'de> Deserialize<'de>,
    {
        for value in values {
            assert_eq!(&value.to_string().parse::<T>().unwrap(), value);
            let json = serde_json::to_value(value).unwrap();
            assert_eq!(json, serde_json::Value::String(value.to_string()));
            assert_eq!(&serde_json::from_value::<T>(json).unwrap(), value);
        }
    }

    #[test]
    fn values_round_trip_through_text_and_serde() {
        round_trips(&[WeightDtype::F32, WeightDtype::F16, WeightDtype::Bf16]);
        round_trips(&[
            DeviceSpec::Cpu,
            DeviceSpec::Cuda(0),
            DeviceSpec::Cuda(3),
            DeviceSpec::Metal,
        ]);
        round_trips(&Quantization::ALL);
        round_trips(&[
            KvCacheType::Auto,
            KvCacheType::F16,
            KvCacheType::F32,
            KvCacheType::Int8,
        ]);
    }

    #[test]
    fn spellings_are_forgiving_about_case_spaces_and_aliases() {
        assert_eq!(" BF16 ".parse::<WeightDtype>().unwrap(), WeightDtype::Bf16);
        assert_eq!("half".parse::<WeightDtype>().unwrap(), WeightDtype::F16);
        assert_eq!("CUDA".parse::<DeviceSpec>().unwrap(), DeviceSpec::Cuda(0));
        assert_eq!("cuda:2".parse::<DeviceSpec>().unwrap(), DeviceSpec::Cuda(2));
        assert_eq!("Q4_K".parse::<Quantization>().unwrap(), Quantization::Q4K);
        assert_eq!("INT8".parse::<KvCacheType>().unwrap(), KvCacheType::Int8);
    }

    #[test]
    fn bad_values_name_the_option_and_what_it_takes() {
        let cases = [
            (
                "int4".parse::<WeightDtype>().unwrap_err(),
                "\"int4\" is not a dtype: expected f32, f16 or bf16",
            ),
            (
                "tpu".parse::<DeviceSpec>().unwrap_err(),
                "\"tpu\" is not a device: expected cpu, cuda, cuda:N or metal",
            ),
            (
                "cuda:x".parse::<DeviceSpec>().unwrap_err(),
                "\"cuda:x\" is not a device",
            ),
            (
                "cuda:-1".parse::<DeviceSpec>().unwrap_err(),
                "\"cuda:-1\" is not a device",
            ),
            (
                "int3".parse::<Quantization>().unwrap_err(),
                "\"int3\" is not a quantization: expected q8_0 or q4_k",
            ),
            (
                "none".parse::<Quantization>().unwrap_err(),
                "\"none\" is not a quantization",
            ),
            (
                "int4".parse::<KvCacheType>().unwrap_err(),
                "\"int4\" is not a KV cache type: expected auto, f16, f32 or int8",
            ),
            (
                "".parse::<KvCacheType>().unwrap_err(),
                "\"\" is not a KV cache type",
            ),
        ];
        for (err, want) in cases {
            assert!(err.to_string().starts_with(want), "{err}");
        }
        let err = serde_json::from_value::<KvCacheType>(serde_json::json!("int4")).unwrap_err();
        assert!(
            err.to_string()
                .contains("is not a KV cache type: expected auto, f16, f32 or int8"),
            "{err}"
        );
        let err = serde_json::from_value::<WeightDtype>(serde_json::json!(16)).unwrap_err();
        assert!(err.to_string().contains("expected a string"), "{err}");
    }
}
