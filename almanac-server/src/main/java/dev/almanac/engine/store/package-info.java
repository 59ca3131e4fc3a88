/** The engine's store: one port ({@link dev.almanac.engine.store.EngineStore}) and one implementation per database. */
package dev.almanac.engine.store;
