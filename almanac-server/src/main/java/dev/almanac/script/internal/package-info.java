/** The sandbox a script runs in: bubblewrap, resource limits, and the interpreters found on this machine. */
package dev.almanac.script.internal;
