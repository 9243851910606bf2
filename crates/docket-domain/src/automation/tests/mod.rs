mod definition;
mod evaluate;
mod items;
