/** The engine: trigger and worker loops, node heartbeats, recovery, wake-ups and manual runs. */
package dev.almanac.engine;
