//! Answer metrics: length, pace, talking points, delivery. Pure functions.
