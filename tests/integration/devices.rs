//! `viva devices` lists what `--input-device` takes, and `viva doctor`
//! speaks of the same devices.

use crate::audio_stack;
use crate::util;

/// ALSA's converter plugins: not devices a user can record from.
const PLUGINS: &[&str] = &[
    "lavrate",
    "samplerate",
    "speexrate",
    "upmix",
    "vdownmix",
    "speex",
];

fn listed_inputs(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .skip_while(|line| !line.starts_with("Inputs"))
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn with_a_sound_server_the_list_is_its_sources_and_doctor_names_one_of_them() {
    let _audio = audio_stack::audio_lock();
    let out = util::run(audio_stack::viva_on_stack().arg("devices"));
    let stdout = util::stdout(&out);
    assert!(out.status.success(), "{}", util::stderr(&out));
    assert!(
        stdout.starts_with("Inputs (PulseAudio)"),
        "{stdout}{}",
        util::stderr(&out)
    );
    let inputs = listed_inputs(&stdout);
    assert!(inputs.contains(&"fakemic".to_owned()), "{inputs:?}");
    let default_line = stdout
        .lines()
        .find(|line| line.contains("(default)"))
        .unwrap();
    assert!(
        default_line.trim_start().starts_with("fakemic "),
        "{stdout}"
    );
    for plugin in PLUGINS {
        assert!(
            !inputs.contains(&plugin.to_string()),
            "{plugin} listed:\n{stdout}"
        );
    }

    let out = util::run(
        audio_stack::viva_on_stack()
            .arg("doctor")
            .arg("--model")
            .arg(util::default_model())
            .arg("--sessions")
            .arg(util::temp_dir().path()),
    );
    let stdout = util::stdout(&out);
    let input = stdout
        .lines()
        .find(|line| line.contains(" input "))
        .unwrap();
    let named = input.split('\'').nth(1).expect("doctor names the device");
    assert!(
        inputs.contains(&named.to_owned()),
        "doctor names {named:?}, devices lists {inputs:?}\n{}",
        util::stderr(&out)
    );
}

#[test]
fn without_a_sound_server_alsa_devices_are_listed_without_its_plugins() {
    let tmp = util::temp_dir();
    let out = util::run(
        util::viva()
            .arg("devices")
            .env_remove("PULSE_SERVER")
            .env("XDG_RUNTIME_DIR", tmp.path())
            .env("HOME", tmp.path()),
    );
    let stdout = util::stdout(&out);
    assert!(stdout.starts_with("Inputs (ALSA)"), "{stdout}");
    let inputs = listed_inputs(&stdout);
    assert!(inputs.contains(&"default".to_owned()), "{stdout}");
    for plugin in PLUGINS {
        assert!(
            !inputs.contains(&plugin.to_string()),
            "{plugin} listed:\n{stdout}"
        );
    }
}

#[test]
fn without_the_servers_cookie_alsa_is_used_and_the_warning_says_to_set_pulse_cookie() {
    let _audio = audio_stack::audio_lock();
    // A home with no cookie, as on a fresh machine: the server drops the
    // handshake, and trying again cannot help.
    let home = util::temp_dir();
    let out = util::run(
        audio_stack::viva_on_stack()
            .arg("devices")
            .env_remove("PULSE_COOKIE")
            .env("HOME", home.path()),
    );
    let stdout = util::stdout(&out);
    let stderr = util::stderr(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.starts_with("Inputs (ALSA)"), "{stdout}");
    assert!(
        stderr.contains("(tries: 1,")
            && stderr.contains("no PulseAudio cookie was found: set PULSE_COOKIE")
            && stderr.trim_end().ends_with("using ALSA"),
        "{stderr}"
    );
}
