//! Finding audio devices by name: what `viva devices` lists and what
//! `--input-device NAME` picks.
//!
//! The host is PulseAudio (also served by PipeWire) where a server answers,
//! whose device names are the server's source and sink names
//! (`alsa_input.usb-…`, `fakemic`); else ALSA, whose names are PCM ids
//! (`default`, `hw:CARD=…`). One host is chosen per process, so `viva
//! devices`, `viva doctor` and `--input-device` always speak of the same
//! devices. Under ALSA only the PCMs that stand for a device are listed, not
//! the converter plugins (`lavrate`, `upmix` …) that ALSA also reports.
//! Listing never opens a device: opening every ALSA device fails on most and
//! makes the ALSA library print noise.

use std::sync::OnceLock;
use std::time::Duration;

use cpal::traits::{DeviceTrait, HostTrait};

/// One device as the user sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceEntry {
    /// The name to give `--input-device`: the server's or ALSA's own id.
    pub(crate) name: String,
    /// The human description (may equal the name).
    pub(crate) description: String,
    /// The system's default for its direction.
    pub(crate) is_default: bool,
}

/// Everything `viva devices` shows about audio.
#[derive(Debug, Clone)]
pub(crate) struct DeviceList {
    /// The audio system the devices belong to, e.g. `PulseAudio`, `ALSA`.
    pub(crate) host: String,
    pub(crate) inputs: Vec<DeviceEntry>,
    pub(crate) outputs: Vec<DeviceEntry>,
}

/// An input device ready to capture from.
pub struct InputDevice {
    pub(crate) device: cpal::Device,
    /// How messages name it: its name, and its description when different.
    pub(crate) label: String,
}

impl std::fmt::Debug for InputDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InputDevice")
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

/// Why an input device cannot be had.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("no input device matches '{wanted}'. {}", listing(host, available))]
    NotFound {
        wanted: String,
        host: String,
        available: Vec<DeviceEntry>,
    },
    #[error(
        "'{wanted}' matches several input devices; give one of these names in full. {}",
        listing(host, matches)
    )]
    Ambiguous {
        wanted: String,
        host: String,
        matches: Vec<DeviceEntry>,
    },
    #[error(
        "there is no default input device (is a microphone connected?). {}",
        listing(host, available)
    )]
    NoDefault {
        host: String,
        available: Vec<DeviceEntry>,
    },
    #[error("cannot list the {host} audio devices: {reason}")]
    Listing { host: String, reason: String },
}

/// The input devices of the audio host as [`listing`] words them, or why
/// they cannot be listed.
pub(crate) fn input_listing() -> String {
    match list() {
        Ok(list) => listing(&list.host, &list.inputs),
        Err(err) => err.to_string(),
    }
}

/// "Input devices (HOST): a (desc), b" or a hint when there are none.
fn listing(host: &str, devices: &[DeviceEntry]) -> String {
    if devices.is_empty() {
        return format!(
            "{host} reports no input devices; check that a microphone is connected and enabled."
        );
    }
    let names: Vec<String> = devices.iter().map(entry_label).collect();
    format!("Input devices ({host}): {}", names.join(", "))
}

/// `name`, or `name (description)` when they differ.
pub(crate) fn entry_label(entry: &DeviceEntry) -> String {
    if entry.description.is_empty() || entry.description == entry.name {
        entry.name.clone()
    } else {
        format!("{} ({})", entry.name, entry.description)
    }
}

/// Keep the ALSA library from printing its diagnostics (a missing card, an
/// unknown PCM …) on standard error for calls made from this thread: cpal
/// reports the same failures as errors, which viva words for the user. The
/// handler is per thread, so every thread that opens ALSA devices calls this.
pub(crate) fn quiet_alsa_messages() {
    #[cfg(target_os = "linux")]
    {
        use std::ffi::{c_char, c_int};

        unsafe extern "C" fn ignore(
            _file: *const c_char,
            _line: c_int,
            _function: *const c_char,
            _err: c_int,
            _fmt: *const c_char,
            _args: *mut alsa_sys::__va_list_tag,
        ) {
        }
        // SAFETY: `ignore` has the handler's signature and touches nothing;
        // setting a thread-local handler has no other effect.
        unsafe {
            alsa_sys::snd_lib_error_set_local(Some(ignore));
        }
    }
}

/// ALSA plugins that convert or route audio rather than stand for a device.
const ALSA_PLUGINS: &[&str] = &[
    "null",
    "lavrate",
    "samplerate",
    "speexrate",
    "jack",
    "oss",
    "speex",
    "upmix",
    "vdownmix",
    "usbstream",
];

/// Handshakes tried with a PulseAudio server whose socket is there. cpal
/// gives each one 2 s; a server that has just started, or a machine under
/// load, can miss that, and falling back to ALSA then would list ALSA's
/// plugins instead of the server's sources. A socket nobody listens on is
/// refused at once, and a client with no cookie is dropped mid-handshake
/// every time (what two CI runs that saw every try closed mid-handshake
/// most likely met: no libpulse client had yet made the user a cookie):
/// neither is tried again.
const PULSE_TRIES: usize = 6;

/// The pause before each further try: a busy server gets a moment to
/// catch up (back-to-back tries all fell in the same busy spell).
const PULSE_BACKOFF: Duration = Duration::from_millis(150);

/// The audio host of this process: PulseAudio when its socket is there and
/// it answers (see [`PULSE_TRIES`]), else ALSA. A server that is there but
/// never answers gets one warning with cpal's reason: the devices then
/// listed are ALSA's, and the user should know why.
fn host() -> cpal::Host {
    static CHOSEN: OnceLock<cpal::HostId> = OnceLock::new();
    if let Some(id) = CHOSEN.get() {
        if let Ok(host) = cpal::host_from_id(*id) {
            return host;
        }
    }
    let pulse = cpal::available_hosts()
        .into_iter()
        .find(|id| *id == cpal::HostId::PulseAudio);
    let host = match pulse.map(pulse_host) {
        Some(Ok(host)) => host,
        Some(Err((tries, reason))) => {
            eprintln!(
                "warning: could not connect to the PulseAudio server (tries: {tries}, last: {reason}); using ALSA"
            );
            cpal::default_host()
        }
        None => cpal::default_host(),
    };
    let _ = CHOSEN.set(host.id());
    host
}

/// The PulseAudio host, or how many tries failed and cpal's reason for the
/// last (see [`PULSE_TRIES`]).
fn pulse_host(id: cpal::HostId) -> Result<cpal::Host, (usize, String)> {
    let mut reason = String::new();
    for attempt in 0..PULSE_TRIES {
        if attempt > 0 {
            std::thread::sleep(PULSE_BACKOFF * attempt as u32);
        }
        match cpal::host_from_id(id) {
            Ok(host) => return Ok(host),
            Err(err) => reason = err.to_string(),
        }
        // Nobody listens: trying again cannot help.
        if reason.contains("refused") {
            return Err((attempt + 1, reason));
        }
        // Without a cookie the client sends an empty one, which a
        // PulseAudio server drops mid-handshake every time.
        if !pulse_cookie_found() {
            return Err((
                attempt + 1,
                format!(
                    "{reason}; no PulseAudio cookie was found: set PULSE_COOKIE to the \
                     server's cookie file (scripts/audio-stack prints it)"
                ),
            ));
        }
    }
    Err((PULSE_TRIES, reason))
}

/// True when the server's cookie is where cpal's PulseAudio client looks
/// for it (`$PULSE_COOKIE`, then the user's home): the client's own lookup,
/// so the two cannot disagree.
fn pulse_cookie_found() -> bool {
    #[cfg(target_os = "linux")]
    return pulseaudio::cookie_path_from_env().is_some();
    #[cfg(not(target_os = "linux"))]
    return true;
}

/// True for a PCM worth listing: not an ALSA converter plugin.
fn is_listed(host: &cpal::Host, name: &str) -> bool {
    host.id() != cpal::HostId::Alsa || !ALSA_PLUGINS.contains(&name)
}

/// The inputs and outputs of the audio host.
pub(crate) fn list() -> Result<DeviceList, DeviceError> {
    list_from(&host())
}

fn list_from(host: &cpal::Host) -> Result<DeviceList, DeviceError> {
    quiet_alsa_messages();
    let host_name = host.id().name().to_owned();
    let devices: Vec<cpal::Device> = host
        .devices()
        .map_err(|err| DeviceError::Listing {
            host: host_name.clone(),
            reason: err.to_string(),
        })?
        .collect();
    let default_input = host
        .default_input_device()
        .map(|device| device_name(&device));
    let default_output = host
        .default_output_device()
        .map(|device| device_name(&device));
    let mut inputs: Vec<DeviceEntry> = devices
        .iter()
        .filter(|device| device.supports_input())
        .map(|device| entry(device, default_input.as_deref()))
        .filter(|entry| is_listed(host, &entry.name))
        .collect();
    let mut outputs: Vec<DeviceEntry> = devices
        .iter()
        .filter(|device| device.supports_output())
        .map(|device| entry(device, default_output.as_deref()))
        .filter(|entry| is_listed(host, &entry.name))
        .collect();
    // ALSA's `default` device does not say which way it works (it works both
    // ways); put it in both lists.
    if let Some(default) = host.default_input_device() {
        add_missing(&mut inputs, entry(&default, default_input.as_deref()));
    }
    if let Some(default) = host.default_output_device() {
        add_missing(&mut outputs, entry(&default, default_output.as_deref()));
    }
    Ok(DeviceList {
        host: host_name,
        inputs,
        outputs,
    })
}

fn add_missing(entries: &mut Vec<DeviceEntry>, new: DeviceEntry) {
    if !entries.iter().any(|entry| entry.name == new.name) {
        entries.insert(0, new);
    }
}

/// The device's own id: a PulseAudio source/sink name or an ALSA PCM id.
fn device_name(device: &cpal::Device) -> String {
    match device.id() {
        Ok(id) => id.id().to_owned(),
        Err(_) => device.to_string(),
    }
}

fn entry(device: &cpal::Device, default: Option<&str>) -> DeviceEntry {
    let name = device_name(device);
    let description = device
        .description()
        .map(|description| description.name().to_owned())
        .unwrap_or_default();
    DeviceEntry {
        is_default: default == Some(name.as_str()),
        name,
        description,
    }
}

/// The input device `wanted` names (see [`match_device`]), or the default
/// input device when `wanted` is `None`.
pub fn input_device(wanted: Option<&str>) -> Result<InputDevice, DeviceError> {
    quiet_alsa_messages();
    let host = host();
    let host_name = host.id().name().to_owned();
    let Some(wanted) = wanted else {
        return match host.default_input_device() {
            Some(device) => Ok(input(device, None)),
            None => Err(DeviceError::NoDefault {
                available: list_from(&host)?.inputs,
                host: host_name,
            }),
        };
    };
    let devices = list_from(&host)?;
    match match_device(&devices.inputs, wanted) {
        Match::One(index) => {
            let chosen = &devices.inputs[index];
            let found = host
                .devices()
                .ok()
                .and_then(|mut all| all.find(|device| device_name(device) == chosen.name))
                .or_else(|| {
                    host.default_input_device()
                        .filter(|device| device_name(device) == chosen.name)
                });
            match found {
                Some(device) => Ok(input(device, Some(chosen))),
                None => Err(DeviceError::NotFound {
                    wanted: wanted.to_owned(),
                    host: host_name,
                    available: devices.inputs,
                }),
            }
        }
        Match::None => Err(DeviceError::NotFound {
            wanted: wanted.to_owned(),
            host: host_name,
            available: devices.inputs,
        }),
        Match::Several(indices) => Err(DeviceError::Ambiguous {
            wanted: wanted.to_owned(),
            host: host_name,
            matches: indices
                .into_iter()
                .map(|index| devices.inputs[index].clone())
                .collect(),
        }),
    }
}

fn input(device: cpal::Device, known: Option<&DeviceEntry>) -> InputDevice {
    let entry = known.cloned().unwrap_or_else(|| entry(&device, None));
    InputDevice {
        label: entry_label(&entry),
        device,
    }
}

/// Which entries a user's `--input-device` text means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Match {
    One(usize),
    None,
    Several(Vec<usize>),
}

/// Match `wanted` against device names: an exact name wins, then a name or
/// description equal ignoring case, then the one name or description that
/// contains it ignoring case. Several equally good matches are ambiguous.
pub(crate) fn match_device(entries: &[DeviceEntry], wanted: &str) -> Match {
    if let Some(index) = entries.iter().position(|entry| entry.name == wanted) {
        return Match::One(index);
    }
    let wanted_lower = wanted.to_lowercase();
    let rules: [&dyn Fn(&DeviceEntry) -> bool; 2] = [
        &|entry| {
            entry.name.to_lowercase() == wanted_lower
                || entry.description.to_lowercase() == wanted_lower
        },
        &|entry| {
            entry.name.to_lowercase().contains(&wanted_lower)
                || entry.description.to_lowercase().contains(&wanted_lower)
        },
    ];
    for rule in rules {
        let found: Vec<usize> = entries
            .iter()
            .enumerate()
            .filter(|(_, entry)| rule(entry))
            .map(|(index, _)| index)
            .collect();
        match found.len() {
            0 => continue,
            1 => return Match::One(found[0]),
            _ => return Match::Several(found),
        }
    }
    Match::None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(name: &str, description: &str) -> DeviceEntry {
        DeviceEntry {
            name: name.into(),
            description: description.into(),
            is_default: false,
        }
    }

    fn devices() -> Vec<DeviceEntry> {
        vec![
            device("speaker.monitor", "Monitor of speaker"),
            device("fakemic_sink.monitor", "Monitor of fakemic_sink"),
            device("fakemic", "fakemic"),
            device(
                "alsa_input.usb-Blue_Yeti",
                "Yeti Stereo Microphone Analog Stereo",
            ),
        ]
    }

    #[track_caller]
    fn case(wanted: &str, expected: Match) {
        assert_eq!(match_device(&devices(), wanted), expected, "{wanted}");
    }

    #[test]
    fn names_match_exactly_then_ignoring_case_then_by_part() {
        case("fakemic", Match::One(2));
        case("FAKEMIC", Match::One(2));
        case("yeti", Match::One(3));
        case("yeti stereo microphone analog stereo", Match::One(3));
        case("speaker", Match::One(0));
        case("monitor", Match::Several(vec![0, 1]));
        case("nope", Match::None);
    }

    #[test]
    fn errors_list_the_devices() {
        let err = DeviceError::NotFound {
            wanted: "nope".into(),
            host: "PulseAudio".into(),
            available: vec![
                device("fakemic", "fakemic"),
                device("speaker.monitor", "Monitor of speaker"),
            ],
        };
        assert_eq!(
            err.to_string(),
            "no input device matches 'nope'. Input devices (PulseAudio): fakemic, \
             speaker.monitor (Monitor of speaker)"
        );
        let none = DeviceError::NoDefault {
            host: "ALSA".into(),
            available: vec![],
        };
        assert!(none.to_string().contains("ALSA reports no input devices"));
    }
}
